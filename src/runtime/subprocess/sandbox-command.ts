/**
 * The command line of one sandboxed call: `prlimit` sets the CPU-time and
 * file-size rlimits (and no core dumps), then `bwrap` builds the sandbox: the
 * host's root read-only, a fresh /dev and /proc, a private size-capped /tmp, the
 * package read-only at {@link SANDBOX_PACKAGE_DIR}, every namespace unshared
 * (the network one too: a module never shares the host's network), no nested
 * user namespaces, a new session, death with its parent, no capabilities, the
 * seccomp filter of seccomp-filter.ts (read by bwrap from a descriptor), and only
 * the environment given. A module whose manifest allows network hosts gets the
 * platform's egress proxy: its unix socket and the bridge (egress-bridge.js) are
 * bound at {@link SANDBOX_EGRESS_DIR}, and the bridge, run by `node`, listens on
 * the sandbox's own loopback at {@link SANDBOX_PROXY_PORT}, then runs the module
 * with `HTTP(S)_PROXY` pointing there. Pure: the tests read the arguments.
 */

/** Where the package directory appears inside the sandbox (also the working directory). */
export const SANDBOX_PACKAGE_DIR = '/run/aip'
/** Where the egress proxy's socket and the bridge appear inside the sandbox. */
export const SANDBOX_EGRESS_DIR = '/run/aion-egress'
/** The loopback port the bridge listens on inside the sandbox. */
export const SANDBOX_PROXY_PORT = 3128
/** File names inside the egress directory (the same on the host side). */
export const EGRESS_SOCKET_FILE = 'proxy.sock'
export const EGRESS_BRIDGE_FILE = 'bridge.js'

/** The egress part of a plan: where the proxy's socket and the bridge are on the host. */
export interface SandboxEgress {
  /** Directory holding {@link EGRESS_SOCKET_FILE} and {@link EGRESS_BRIDGE_FILE}. */
  readonly hostDir: string
  /** The node binary that runs the bridge (the host's root is visible read-only). */
  readonly node: string
}

/** What one sandboxed call needs. */
export interface SandboxPlan {
  /** Absolute paths of the tools (found by the probe). */
  readonly bwrap: string
  readonly prlimit: string
  /** The package directory on the host. */
  readonly packageDir: string
  /** The entrypoint, relative to the package directory. */
  readonly entrypoint: string
  /** The egress proxy, when the manifest allows network hosts; without it, no network at all. */
  readonly egress?: SandboxEgress
  /** The descriptor bwrap reads the seccomp program from (SECCOMP_FD); without it, no filter. */
  readonly seccompFd?: number
  /** The complete environment of the module. */
  readonly env: Readonly<Record<string, string>>
  /** Size of the private /tmp. */
  readonly tmpBytes: number
  /** RLIMIT_CPU, in seconds. */
  readonly cpuSeconds: number
  /** RLIMIT_FSIZE, in bytes. */
  readonly fileSizeBytes: number
  /** Device nodes bound into the sandbox (the GPUs assigned to the call). */
  readonly devices: readonly string[]
}

/** The argv (program first) that runs the plan's entrypoint inside the sandbox. */
export function sandboxCommand(plan: SandboxPlan): string[] {
  const proxy = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`
  const proxyEnv = plan.egress
    ? { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy }
    : {}
  const env = Object.entries({ ...plan.env, ...proxyEnv }).flatMap(([name, value]) => [
    '--setenv',
    name,
    value,
  ])
  const entrypoint = `${SANDBOX_PACKAGE_DIR}/${plan.entrypoint}`
  const program = plan.egress
    ? [
        plan.egress.node,
        '--max-old-space-size=16',
        `${SANDBOX_EGRESS_DIR}/${EGRESS_BRIDGE_FILE}`,
        String(SANDBOX_PROXY_PORT),
        `${SANDBOX_EGRESS_DIR}/${EGRESS_SOCKET_FILE}`,
        entrypoint,
      ]
    : [entrypoint]
  return [
    plan.prlimit,
    `--cpu=${plan.cpuSeconds}:${plan.cpuSeconds}`,
    `--fsize=${plan.fileSizeBytes}:${plan.fileSizeBytes}`,
    '--core=0:0',
    '--',
    plan.bwrap,
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/run',
    '--ro-bind',
    plan.packageDir,
    SANDBOX_PACKAGE_DIR,
    '--size',
    String(plan.tmpBytes),
    '--tmpfs',
    '/tmp',
    ...(plan.egress ? ['--ro-bind', plan.egress.hostDir, SANDBOX_EGRESS_DIR] : []),
    ...plan.devices.flatMap((device) => ['--dev-bind', device, device]),
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--new-session',
    '--die-with-parent',
    '--cap-drop',
    'ALL',
    ...(plan.seccompFd === undefined ? [] : ['--seccomp', String(plan.seccompFd)]),
    '--clearenv',
    ...env,
    '--chdir',
    SANDBOX_PACKAGE_DIR,
    '--',
    ...program,
  ]
}

/**
 * Signals a sandboxed module died of, as bwrap reports them (exit status 128 +
 * signal): RLIMIT_CPU sends SIGXCPU, RLIMIT_FSIZE sends SIGXFSZ.
 */
export const EXIT_SIGXCPU = 128 + 24
export const EXIT_SIGXFSZ = 128 + 25
