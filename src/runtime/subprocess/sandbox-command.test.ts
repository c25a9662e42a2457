/** The sandbox command line: every isolation flag present, network and devices only when given. */
import { describe, expect, it } from 'vitest'
import {
  SANDBOX_EGRESS_DIR,
  SANDBOX_PACKAGE_DIR,
  SANDBOX_PROXY_PORT,
  sandboxCommand,
  type SandboxPlan,
} from './sandbox-command.js'

const plan: SandboxPlan = {
  bwrap: '/usr/bin/bwrap',
  prlimit: '/usr/bin/prlimit',
  packageDir: '/srv/modules/ocr',
  entrypoint: 'bin/ocr',
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
    expect(argv).not.toContain('--seccomp')
  })

  it('reads the seccomp program from the descriptor given', () => {
    expect(operands(sandboxCommand({ ...plan, seccompFd: 4 }), '--seccomp', 1)).toEqual([['4']])
  })

  it('passes exactly the given environment and runs the entrypoint from the package', () => {
    expect(operands(argv, '--setenv', 2)).toEqual([
      ['PATH', '/usr/bin:/bin'],
      ['OCR_TOKEN', 's3cret'],
    ])
    expect(argv.at(-1)).toBe(`${SANDBOX_PACKAGE_DIR}/bin/ocr`)
    expect(argv.at(-2)).toBe('--')
  })

  it('never shares the host network: with egress, the bridge runs the module behind the proxy', () => {
    const egress = { hostDir: '/tmp/aion-egress-x', node: '/usr/bin/node' }
    const proxied = sandboxCommand({ ...plan, egress })
    expect(proxied).not.toContain('--share-net')
    expect(operands(proxied, '--ro-bind', 2)).toContainEqual([
      '/tmp/aion-egress-x',
      SANDBOX_EGRESS_DIR,
    ])
    const proxy = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`
    expect(operands(proxied, '--setenv', 2)).toEqual(
      expect.arrayContaining([
        ['HTTP_PROXY', proxy],
        ['HTTPS_PROXY', proxy],
      ]),
    )
    const program = proxied.slice(proxied.lastIndexOf('--') + 1)
    expect(program).toEqual([
      '/usr/bin/node',
      '--max-old-space-size=16',
      `${SANDBOX_EGRESS_DIR}/bridge.js`,
      String(SANDBOX_PROXY_PORT),
      `${SANDBOX_EGRESS_DIR}/proxy.sock`,
      `${SANDBOX_PACKAGE_DIR}/bin/ocr`,
    ])
  })

  it('binds only the assigned devices', () => {
    const gpu = sandboxCommand({ ...plan, devices: ['/dev/nvidia1', '/dev/nvidiactl'] })
    expect(operands(gpu, '--dev-bind', 2)).toEqual([
      ['/dev/nvidia1', '/dev/nvidia1'],
      ['/dev/nvidiactl', '/dev/nvidiactl'],
    ])
  })
})
