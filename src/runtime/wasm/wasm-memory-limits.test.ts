import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileWat, ensureSummarizeTextBuilt, modulesDir } from '../test-packages.fixture.js'
import { wasm } from './wasm-api.js'
import { checkWasmModule, quantityBytes } from './wasm-checks.js'
import { readMemoryLimits } from './wasm-memory-limits.js'

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

function section(id: number, payload: number[]): number[] {
  return [id, payload.length, ...payload]
}

function name(text: string): number[] {
  return [text.length, ...Buffer.from(text)]
}

describe('readMemoryLimits', () => {
  it('reads a defined memory with and without a maximum', () => {
    const bounded = Uint8Array.from([...header, ...section(5, [1, 0x01, 2, 0x80, 0x08])])
    expect(readMemoryLimits(bounded)).toEqual([{ minPages: 2, maxPages: 1024, imported: false }])
    const unbounded = Uint8Array.from([...header, ...section(5, [1, 0x00, 3])])
    expect(readMemoryLimits(unbounded)).toEqual([{ minPages: 3, imported: false }])
  })

  it('reads imported memories past other imports and skips custom sections', () => {
    const imports = [
      2,
      ...name('env'),
      ...name('f'),
      0x00,
      0,
      ...name('env'),
      ...name('memory'),
      0x02,
      0x01,
      1,
      16,
    ]
    const custom = section(0, [...name('note'), 1, 2, 3])
    const binary = Uint8Array.from([...header, ...custom, ...section(2, imports)])
    expect(readMemoryLimits(binary)).toEqual([{ minPages: 1, maxPages: 16, imported: true }])
  })

  it('reports a truncated binary', () => {
    expect(() => readMemoryLimits(Uint8Array.from([...header, 5, 10, 1]))).toThrow(RangeError)
  })
})

describe('checkWasmModule', () => {
  beforeAll(() => ensureSummarizeTextBuilt(), 120_000)

  it('accepts summarize_text, built with a 64 MiB maximum, under its manifest', async () => {
    const path = join(modulesDir, 'summarize_text', 'build', 'summarize_text.wasm')
    const binary = new Uint8Array(await readFile(path))
    expect(readMemoryLimits(binary).map((m) => m.maxPages)).toEqual([1024])
    const module = await wasm.compile(binary)
    expect(checkWasmModule(binary, module, '64Mi')).toEqual([])
    expect(checkWasmModule(binary, module, '32Mi').map((v) => v.keyword)).toEqual(['maximumMemory'])
  })

  it('refuses imports other than WASI functions and a module that is no WASI command', async () => {
    const imports = [1, ...name('env'), ...name('memory'), 0x02, 0x01, 1, 1]
    const binary = Uint8Array.from([...header, ...section(2, imports)])
    const violations = checkWasmModule(binary, await wasm.compile(binary), '1Mi')
    expect(violations.map((v) => v.message)).toEqual([
      'imports memory env.memory, which the host does not provide ' +
        '(only wasi_snapshot_preview1 functions and aion_http.fetch)',
      'exports no memory named memory',
      'exports no _start function',
    ])
  })

  it('allows exactly the WASI functions and aion_http.fetch the worker provides', async () => {
    const source = `(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "aion_http" "fetch" (func (param i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "made_up" (func))
      (import "aion_http" "connect" (func))
      (import "wasi_snapshot_preview1" "fd_read" (global i32))
      (memory (export "memory") 1 1)
      (func (export "_start")))`
    const binary = await compileWat('imports', source, '')
    const violations = checkWasmModule(binary, await wasm.compile(binary), '1Mi')
    expect(violations.map((v) => v.message.split(',')[0])).toEqual([
      'imports function wasi_snapshot_preview1.made_up',
      'imports function aion_http.connect',
      'imports global wasi_snapshot_preview1.fd_read',
    ])
  })

  it('converts binary quantities', () => {
    expect(quantityBytes('64Mi')).toBe(64 * 2 ** 20)
    expect(quantityBytes('1Gi')).toBe(2 ** 30)
    expect(quantityBytes('12')).toBeNaN()
  })
})
