/**
 * How the server process is started: `npm start` runs exactly this (a test
 * holds package.json to it), and the benchmarks and end-to-end tests spawn it.
 * scripts/start.mjs brings the build up to date (the platform in `dist/`, the
 * AssemblyScript modules; only what changed, and nothing but a check when
 * nothing did) and runs `dist/src/server/main.js` in the same process.
 *
 * `--max-semi-space-size=32` (MiB) lets V8's young generation grow to 64 MiB
 * instead of 32: a task allocates many short-lived objects (request, routing,
 * rows, events, the provider's answer), and with the default semi-spaces too
 * many of them were still alive at each scavenge and got copied (see
 * BENCHMARKS.md, bench:gateway).
 */
export const serverNodeFlags = ['--max-semi-space-size=32'] as const

/** The script the server runs from, relative to the repository root. */
export const serverEntry = 'scripts/start.mjs'

/** `node` arguments that start the server (run from the repository root). */
export function serverArgs(): string[] {
  return [...serverNodeFlags, serverEntry]
}
