/**
 * The command line of one sandboxed call: `prlimit` sets the CPU-time and
 * file-size rlimits (and no core dumps), then `bwrap` builds the sandbox: the
 * host's root read-only, a fresh /dev and /proc, a private size-capped /tmp, the
 * package read-only at {@link SANDBOX_PACKAGE_DIR}, every namespace unshared
 * (the network one kept only when the manifest allows network), no nested user
 * namespaces, a new session, death with its parent, no capabilities, and only
 * the environment given. Pure: the tests read the arguments.
 */

/** Where the package directory appears inside the sandbox (also the working directory). */
export const SANDBOX_PACKAGE_DIR = '/run/aip'

/** What one sandboxed call needs. */
export interface SandboxPlan {
  /** Absolute paths of the tools (found by the probe). */
  readonly bwrap: string
  readonly prlimit: string
  /** The package directory on the host. */
  readonly packageDir: string
  /** The entrypoint, relative to the package directory. */
  readonly entrypoint: string
  /** Keep the host network (manifest `permissions.network` allows hosts). */
  readonly network: boolean
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
  const env = Object.entries(plan.env).flatMap(([name, value]) => ['--setenv', name, value])
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
    ...plan.devices.flatMap((device) => ['--dev-bind', device, device]),
    '--unshare-all',
    ...(plan.network ? ['--share-net'] : []),
    '--unshare-user',
    '--disable-userns',
    '--new-session',
    '--die-with-parent',
    '--cap-drop',
    'ALL',
    '--clearenv',
    ...env,
    '--chdir',
    SANDBOX_PACKAGE_DIR,
    '--',
    `${SANDBOX_PACKAGE_DIR}/${plan.entrypoint}`,
  ]
}

/**
 * Signals a sandboxed module died of, as bwrap reports them (exit status 128 +
 * signal): RLIMIT_CPU sends SIGXCPU, RLIMIT_FSIZE sends SIGXFSZ.
 */
export const EXIT_SIGXCPU = 128 + 24
export const EXIT_SIGXFSZ = 128 + 25
