/**
 * Vitest's global setup: builds `dist/` when the sources changed, so tests
 * that spawn the server or `aionctl` (which run the build) run the code under
 * test. Nothing is printed when the build is current.
 */
import { buildCode } from '../../scripts/build.mjs'

export default async function setup(): Promise<void> {
  await buildCode()
}
