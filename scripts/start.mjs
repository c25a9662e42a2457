#!/usr/bin/env node
/**
 * `npm start`: brings the build up to date (scripts/build.mjs: the platform in
 * dist/ and the AssemblyScript modules, each only when its sources changed,
 * with progress on a first build), then runs the server in this same process —
 * one Node start, where a separate build step would cost a second one.
 */
import { buildCode, buildModules } from './build.mjs'

try {
  await buildCode()
  await buildModules()
} catch (error) {
  process.stderr.write(`omertaos: cannot start: the build failed: ${error.message}\n`)
  process.exit(1)
}
// dist/ is the build made just above (a URL, so linting needs no build)
await import(new URL('../dist/src/server/main.js', import.meta.url).href)
