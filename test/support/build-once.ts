/**
 * Vitest's global setup: brings the build up to date (dist/ and the
 * AssemblyScript modules, scripts/build.mjs), so tests that spawn the server
 * or `aionctl` (which run the build) run the code under test, and no spawned
 * server has a module to compile. Nothing is printed when the build is current.
 */
import { buildCode, buildModules } from '../../scripts/build.mjs'

export default async function setup(): Promise<void> {
  await buildCode()
  await buildModules()
}
