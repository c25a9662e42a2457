/**
 * Load-time checks of a WASM module against its manifest: it may import only the
 * host functions the worker provides (the WASI preview1 functions and
 * `aion_http.fetch` listed in wasm-host-api.js; no memory, table or global
 * imports), must export `memory` and `_start` (a WASI command), and every memory
 * must declare a maximum within the manifest's `resources.memory`.
 */
import type { Violation } from '../../core/errors/index.js'
import { wasm, type WasmModule } from './wasm-api.js'
import { HTTP_FUNCTIONS, HTTP_MODULE, WASI_FUNCTIONS, WASI_MODULE } from './wasm-host-api.js'
import { readMemoryLimits, WASM_PAGE_BYTES } from './wasm-memory-limits.js'

/** Every import a module may have, as `module.name`. */
const PROVIDED = new Set([
  ...WASI_FUNCTIONS.map((name) => `${WASI_MODULE}.${name}`),
  ...HTTP_FUNCTIONS.map((name) => `${HTTP_MODULE}.${name}`),
])

const UNIT_BYTES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }

/** Bytes of a Kubernetes-style binary quantity (`64Mi`); the manifest schema fixes the syntax. */
export function quantityBytes(quantity: string): number {
  const match = /^([1-9][0-9]*)(Ki|Mi|Gi|Ti)$/.exec(quantity)
  if (!match) return Number.NaN
  return Number(match[1]) * (UNIT_BYTES[match[2] as string] as number)
}

function importViolations(module: WasmModule): Violation[] {
  return wasm.Module.imports(module)
    .filter((entry) => entry.kind !== 'function' || !PROVIDED.has(`${entry.module}.${entry.name}`))
    .map((entry) => ({
      path: '',
      keyword: 'imports',
      message:
        `imports ${entry.kind} ${entry.module}.${entry.name}, which the host does not provide ` +
        `(only ${WASI_MODULE} functions and ${HTTP_MODULE}.fetch)`,
    }))
}

function exportViolations(module: WasmModule): Violation[] {
  const exports = new Map(wasm.Module.exports(module).map((e) => [e.name, e.kind]))
  const violations: Violation[] = []
  if (exports.get('memory') !== 'memory') {
    violations.push({ path: '', keyword: 'exports', message: 'exports no memory named memory' })
  }
  if (exports.get('_start') !== 'function') {
    violations.push({ path: '', keyword: 'exports', message: 'exports no _start function' })
  }
  return violations
}

function memoryViolations(binary: Uint8Array, memoryLimit: string): Violation[] {
  const limitBytes = quantityBytes(memoryLimit)
  const violations: Violation[] = []
  for (const memory of readMemoryLimits(binary)) {
    if (memory.maxPages === undefined) {
      violations.push({
        path: '',
        keyword: 'maximumMemory',
        message: 'declares no memory maximum (build it with a maximum, e.g. asc --maximumMemory)',
      })
    } else if (memory.maxPages * WASM_PAGE_BYTES > limitBytes) {
      violations.push({
        path: '',
        keyword: 'maximumMemory',
        message: `declares a memory maximum of ${memory.maxPages * WASM_PAGE_BYTES} bytes, over the manifest's ${memoryLimit}`,
      })
    }
  }
  return violations
}

/** Every reason the compiled module may not run under its manifest; empty when it may. */
export function checkWasmModule(
  binary: Uint8Array,
  module: WasmModule,
  memoryLimit: string,
): Violation[] {
  return [
    ...importViolations(module),
    ...exportViolations(module),
    ...memoryViolations(binary, memoryLimit),
  ]
}
