#!/usr/bin/env node
// Runs the compiled CLI (dist/), first building it when its sources changed
// since the last build (scripts/build.mjs; it only compares fingerprints when
// nothing did). Where no build can be made, it runs the TypeScript through tsx.
import { buildCode } from '../scripts/build.mjs'

let built = true
try {
  await buildCode()
} catch (error) {
  built = false
  process.stderr.write(`aionctl: cannot build dist/ (${error.message}); running from source\n`)
}
if (built) {
  // dist/ is the build made just above (a URL, so linting needs no build)
  await import(new URL('../dist/src/cli/main.js', import.meta.url).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/cli/main.ts')
}
