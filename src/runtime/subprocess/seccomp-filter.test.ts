/**
 * The seccomp program, read back and run by a small classic-BPF interpreter over
 * made-up system calls: each denied call of each architecture answers EPERM,
 * everything else is allowed, a foreign ABI kills, x32 calls fail. (The real
 * kernel runs it in sandbox-network.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { deniedNumbers, seccompProgram, type SeccompArch } from './seccomp-filter.js'

const RET_ALLOW = 0x7fff0000
const RET_EPERM = 0x00050001
const RET_KILL_PROCESS = 0x80000000
const AUDIT_ARCH = { x64: 0xc000003e, arm64: 0xc00000b7, i386: 0x40000003 }

/** Runs `program` over a `struct seccomp_data` with `nr` and `arch`; returns the verdict. */
function verdict(program: Uint8Array, nr: number, arch: number): number {
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength)
  const data = new DataView(new ArrayBuffer(64))
  data.setInt32(0, nr, true)
  data.setUint32(4, arch, true)
  let acc = 0
  for (let pc = 0; pc * 8 < program.byteLength; pc++) {
    const code = view.getUint16(pc * 8, true)
    const jt = view.getUint8(pc * 8 + 2)
    const jf = view.getUint8(pc * 8 + 3)
    const k = view.getUint32(pc * 8 + 4, true)
    if (code === 0x20) acc = data.getUint32(k, true)
    else if (code === 0x15) pc += acc === k ? jt : jf
    else if (code === 0x35) pc += acc >= k ? jt : jf
    else if (code === 0x06) return k
    else throw new Error(`unexpected instruction ${code.toString(16)} at ${pc}`)
  }
  throw new Error('the program ran off its end')
}

describe.each<SeccompArch>(['x64', 'arm64'])('the %s program', (arch) => {
  const program = seccompProgram(arch)
  const denied = deniedNumbers(arch)

  it('answers EPERM to every denied system call', () => {
    expect(denied.length).toBeGreaterThan(40)
    for (const nr of denied) expect(verdict(program, nr, AUDIT_ARCH[arch])).toBe(RET_EPERM)
  })

  it('allows every other system call number', () => {
    const deniedSet = new Set(denied)
    for (let nr = 0; nr < 512; nr++) {
      if (deniedSet.has(nr)) continue
      expect(verdict(program, nr, AUDIT_ARCH[arch])).toBe(RET_ALLOW)
    }
  })

  it('kills a system call made through another ABI', () => {
    expect(verdict(program, 0, AUDIT_ARCH.i386)).toBe(RET_KILL_PROCESS)
    const other = arch === 'x64' ? AUDIT_ARCH.arm64 : AUDIT_ARCH.x64
    expect(verdict(program, 0, other)).toBe(RET_KILL_PROCESS)
  })
})

describe('seccompProgram', () => {
  it('fails x32 system calls on x86-64, whatever their number', () => {
    const program = seccompProgram('x64')
    expect(verdict(program, 0x40000000 + 0, AUDIT_ARCH.x64)).toBe(RET_EPERM)
    expect(verdict(program, 0x40000000 + 101, AUDIT_ARCH.x64)).toBe(RET_EPERM)
  })

  it('refuses an architecture it has no profile for', () => {
    expect(() => seccompProgram('ia32')).toThrow(/no seccomp profile for the ia32/)
  })
})
