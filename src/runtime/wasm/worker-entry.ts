/** Where a WASM worker thread starts. */

/**
 * The worker's file. It is plain JavaScript (see its header), so it loads the same
 * way from TypeScript source (tsx, vitest) and from compiled output.
 */
export function workerFile(): URL {
  return new URL('./wasm-worker.js', import.meta.url)
}
