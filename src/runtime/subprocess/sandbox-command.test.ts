/** The sandbox command line: every isolation flag present, network and devices only when given. */
import { describe, expect, it } from 'vitest'
import { SANDBOX_PACKAGE_DIR, sandboxCommand, type SandboxPlan } from './sandbox-command.js'

const plan: SandboxPlan = {
  bwrap: '/usr/bin/bwrap',
  prlimit: '/usr/bin/prlimit',
  packageDir: '/srv/modules/ocr',
  entrypoint: 'bin/ocr',
  network: false,
  env: { PATH: '/usr/bin:/bin', OCR_TOKEN: 's3cret' },
  tmpBytes: 1024,
  cpuSeconds: 3,
  fileSizeBytes: 2048,
  devices: [],
}

/** The arguments that follow `flag` (its operands), for each occurrence. */
function operands(argv: readonly string[], flag: string, count: number): string[][] {
  return argv.flatMap((arg, i) => (arg === flag ? [argv.slice(i + 1, i + 1 + count)] : []))
}

describe('sandboxCommand', () => {
  const argv = sandboxCommand(plan)

  it('sets the rlimits with prlimit, then runs bwrap', () => {
    expect(argv.slice(0, 6)).toEqual([
      '/usr/bin/prlimit',
      '--cpu=3:3',
      '--fsize=2048:2048',
      '--core=0:0',
      '--',
      '/usr/bin/bwrap',
    ])
  })

  it('isolates: read-only root and package, private /tmp, new namespaces and session, no capabilities', () => {
    expect(operands(argv, '--ro-bind', 2)).toEqual([
      ['/', '/'],
      ['/srv/modules/ocr', SANDBOX_PACKAGE_DIR],
    ])
    expect(operands(argv, '--size', 3)).toEqual([['1024', '--tmpfs', '/tmp']])
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--new-session',
      '--die-with-parent',
      '--clearenv',
    ]) {
      expect(argv).toContain(flag)
    }
    expect(operands(argv, '--cap-drop', 1)).toEqual([['ALL']])
    expect(argv).not.toContain('--share-net')
  })

  it('passes exactly the given environment and runs the entrypoint from the package', () => {
    expect(operands(argv, '--setenv', 2)).toEqual([
      ['PATH', '/usr/bin:/bin'],
      ['OCR_TOKEN', 's3cret'],
    ])
    expect(argv.at(-1)).toBe(`${SANDBOX_PACKAGE_DIR}/bin/ocr`)
    expect(argv.at(-2)).toBe('--')
  })

  it('keeps the network only when the manifest allows it, and binds only the assigned devices', () => {
    const gpu = sandboxCommand({
      ...plan,
      network: true,
      devices: ['/dev/nvidia1', '/dev/nvidiactl'],
    })
    expect(gpu).toContain('--share-net')
    expect(operands(gpu, '--dev-bind', 2)).toEqual([
      ['/dev/nvidia1', '/dev/nvidia1'],
      ['/dev/nvidiactl', '/dev/nvidiactl'],
    ])
  })
})
