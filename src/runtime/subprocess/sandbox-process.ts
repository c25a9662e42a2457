/**
 * Runs one sandboxed command without blocking the event loop: spawned as the
 * unprivileged user (when the platform is root) in its own process group,
 * held at a gate until it has been moved into its cgroup, fed its input on
 * stdin, its stdout and stderr read up to their caps. A timeout, an abort or
 * an overflowing stdout kills the whole tree: the process group, every process
 * in the cgroup, and (through bwrap's pid namespace) everything inside.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import type { Writable } from 'node:stream'
import type { CallCgroup } from './cgroups.js'

// The gate: block until the parent writes a line to fd 3 (after the cgroup
// attach), then close it and become the command. The shell is /bin/sh, run as
// the sandbox user, so nothing runs before it is inside the cgroup.
const GATE = 'read -r go <&3 || exit 125; exec 3<&-; exec "$@"'

/** What to run and how. */
export interface SandboxProcessSpec {
  /** Program and arguments. */
  readonly command: readonly string[]
  /** Unprivileged identity to run as; omitted when the platform is not root. */
  readonly user: { readonly uid: number; readonly gid: number } | undefined
  /** The environment of the process (bwrap clears and sets the module's own). */
  readonly env: Readonly<Record<string, string>>
  readonly stdin: Uint8Array
  readonly stdoutLimitBytes: number
  readonly stderrLimitBytes: number
  readonly timeoutMs: number
  readonly signal: AbortSignal
  /** The call's cgroup; the process enters it before running anything. */
  readonly cgroup: CallCgroup | undefined
}

/** How the process ended. */
export type SandboxProcessOutcome =
  | {
      readonly kind: 'exited'
      /** Exit status; 128 + n when bwrap saw its child die of signal n. */
      readonly exitCode: number
      readonly stdout: Buffer
      readonly stderr: Buffer
      readonly durationMs: number
    }
  | { readonly kind: 'timeout'; readonly stderr: Buffer }
  | { readonly kind: 'cancelled'; readonly stderr: Buffer }
  | { readonly kind: 'stdout_overflow'; readonly stderr: Buffer }
  | { readonly kind: 'failed'; readonly detail: string; readonly stderr: Buffer }

/** Collects a stream's bytes up to `limit`; reports whether more came. */
function collector(limit: number) {
  const chunks: Buffer[] = []
  let size = 0
  let overflowed = false
  return {
    push(chunk: Buffer): boolean {
      if (size + chunk.length > limit) {
        chunks.push(chunk.subarray(0, limit - size))
        size = limit
        overflowed = true
      } else {
        chunks.push(chunk)
        size += chunk.length
      }
      return overflowed
    },
    bytes: () => Buffer.concat(chunks),
  }
}

/** Runs the spec; resolves when every process has ended and every pipe has closed. Never rejects. */
export function runSandboxProcess(spec: SandboxProcessSpec): Promise<SandboxProcessOutcome> {
  const started = performance.now()
  const [program, ...args] = spec.command
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', GATE, 'aion-sandbox', program as string, ...args], {
      env: { ...spec.env },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
      ...(spec.user ?? {}),
    })
    const stdout = collector(spec.stdoutLimitBytes)
    const stderr = collector(spec.stderrLimitBytes)
    let ending: 'timeout' | 'cancelled' | 'stdout_overflow' | undefined
    let failure: string | undefined

    const killTree = (reason: typeof ending) => {
      ending ??= reason
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          // The group is gone already.
        }
      }
      void spec.cgroup?.kill()
    }
    const timer = setTimeout(() => killTree('timeout'), spec.timeoutMs)
    const onAbort = () => killTree('cancelled')
    if (spec.signal.aborted) onAbort()
    spec.signal.addEventListener('abort', onAbort, { once: true })

    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.push(chunk)) killTree('stdout_overflow')
    })
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    // EPIPE when the module exits without reading its input: not a failure by itself.
    child.stdin.on('error', () => undefined)
    const gate = child.stdio[3] as Writable
    gate.on('error', () => undefined)
    child.on('error', (error) => {
      failure = `cannot start the sandbox: ${error.message}`
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      spec.signal.removeEventListener('abort', onAbort)
      if (failure !== undefined)
        resolve({ kind: 'failed', detail: failure, stderr: stderr.bytes() })
      else if (ending !== undefined) resolve({ kind: ending, stderr: stderr.bytes() })
      else {
        resolve({
          kind: 'exited',
          exitCode: code ?? 128 + (signal === null ? 0 : constants.signals[signal]),
          stdout: stdout.bytes(),
          stderr: stderr.bytes(),
          durationMs: performance.now() - started,
        })
      }
    })

    if (child.pid === undefined) return
    const pid = child.pid
    const open = spec.cgroup ? spec.cgroup.attach(pid) : Promise.resolve()
    open.then(
      () => {
        gate.end('go\n')
        child.stdin.end(spec.stdin)
      },
      (error: Error) => {
        failure = `cannot move the process into its cgroup: ${error.message}`
        killTree(undefined)
      },
    )
  })
}
