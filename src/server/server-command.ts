/**
 * How the server process is started: `npm start` runs exactly this (a test
 * holds package.json to it), and the benchmarks and end-to-end tests spawn it.
 * It runs the build in `dist/` (`npm run build`; `npm start`, `npm test` and
 * the test runner's setup make it first when the sources changed).
 *
 * `--max-semi-space-size=32` (MiB) lets V8's young generation grow to 64 MiB
 * instead of 32: a task allocates many short-lived objects (request, routing,
 * rows, events, the provider's answer), and with the default semi-spaces too
 * many of them were still alive at each scavenge and got copied (see
 * BENCHMARKS.md, bench:gateway).
 */
export const serverNodeFlags = ['--max-semi-space-size=32'] as const

/** The script the server runs from, relative to the repository root. */
export const serverEntry = 'dist/src/server/main.js'

/** `node` arguments that start the server (run from the repository root). */
export function serverArgs(): string[] {
  return [...serverNodeFlags, serverEntry]
}
