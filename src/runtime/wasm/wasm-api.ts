/**
 * The slice of the WebAssembly JS API the runtime uses, typed here because the
 * project's TypeScript libs (ES2023, no DOM) do not declare `WebAssembly`. Read
 * from `globalThis` once, so no global declaration can clash with one added later.
 *
 * Importing it also turns V8's dynamic tiering of WebAssembly off, before any module
 * is compiled. With dynamic tiering a function starts in baseline code whose loops
 * check a tier-up budget instead of the stack guard, and a loop that only calls
 * `memory.grow` (each grow pays a full GC for the memory's external size) runs for
 * a minute before that budget runs out: `worker.terminate()` could not stop it, and
 * the killed thread went on using one to two cores. Without dynamic tiering every
 * loop checks the stack guard, so a kill takes effect at once; the optimized code is
 * compiled in the background right after the baseline code instead of on demand.
 */
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--no-wasm-dynamic-tiering')

/** A compiled module: shareable across worker threads, instantiated per call. */
export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module'
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>
}

/** One import or export of a module, as `WebAssembly.Module.imports/exports` list them. */
export interface WasmModuleEntry {
  readonly module?: string
  readonly name: string
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag'
}

/** The members of the global `WebAssembly` object the runtime uses. */
export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>
  /** With a compiled module, resolves with the instance alone. */
  instantiate(
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<WasmInstance>
  Module: {
    imports(module: WasmModule): WasmModuleEntry[]
    exports(module: WasmModule): WasmModuleEntry[]
  }
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => WasmInstance
  Memory: abstract new (...args: never[]) => WasmMemory
}

/** The engine's WebAssembly API. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
