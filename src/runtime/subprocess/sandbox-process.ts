/**
 * Runs one sandboxed command without blocking the event loop: the fork happens
 * on the spawner thread (spawner-worker.js), which runs the process as the
 * unprivileged user in its own process group, holds it at a gate until it is
 * inside its cgroup, feeds its input, reads stdout and stderr up to their caps,
 * and kills the process group on timeout, abort or stdout overflow. The
 * caller's cgroup kill then reaches anything left, and bwrap's pid namespace
 * takes everything inside down with its init.
 */
import { Worker } from 'node:worker_threads'
import type { CallCgroup } from './cgroups.js'
import type {
  ProcessSpec,
  SpawnerOutcome,
  SpawnerReply,
  SpawnerRequest,
} from './spawner-protocol.js'

/** What to run and how. */
export interface SandboxProcessSpec extends ProcessSpec {
  readonly signal: AbortSignal
  /** The call's cgroup; the process enters it before running anything. */
  readonly cgroup: CallCgroup | undefined
  /**
   * Scheduling niceness of the process and all it spawns: modules yield the CPU
   * to the platform's event loop when the host is busy.
   * @default 10
   */
  readonly niceness?: number
}

/** How the process ended (the spawner's outcome, its bytes as Buffers). */
export type SandboxProcessOutcome = SpawnerOutcome<Buffer>

const bytes = (array: Uint8Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength)

function toBuffers(outcome: SpawnerOutcome): SandboxProcessOutcome {
  if (outcome.kind === 'exited') {
    return { ...outcome, stdout: bytes(outcome.stdout), stderr: bytes(outcome.stderr) }
  }
  return { ...outcome, stderr: bytes(outcome.stderr) }
}

/** The one spawner thread of this process, started on first use; it holds the process open only while runs are in flight. */
class Spawner {
  private static shared: Spawner | undefined
  private readonly pending = new Map<number, (outcome: SpawnerOutcome) => void>()
  private nextId = 0

  private constructor(private readonly worker: Worker) {
    worker.unref()
    worker.on('message', (reply: SpawnerReply) => {
      this.pending.get(reply.id)?.(reply.outcome)
      this.pending.delete(reply.id)
      if (this.pending.size === 0) worker.unref()
    })
    worker.on('error', (error) => this.failAll(`the spawner thread failed: ${error.message}`))
    worker.on('exit', () => {
      this.failAll('the spawner thread exited')
      if (Spawner.shared === this) Spawner.shared = undefined
    })
  }

  static get(): Spawner {
    Spawner.shared ??= new Spawner(new Worker(new URL('./spawner-worker.js', import.meta.url)))
    return Spawner.shared
  }

  run(request: Omit<Extract<SpawnerRequest, { type: 'run' }>, 'id' | 'type'>, signal: AbortSignal) {
    const id = ++this.nextId
    return new Promise<SpawnerOutcome>((resolve) => {
      const onAbort = () => this.worker.postMessage({ type: 'cancel', id } satisfies SpawnerRequest)
      this.pending.set(id, (outcome) => {
        signal.removeEventListener('abort', onAbort)
        resolve(outcome)
      })
      this.worker.ref()
      this.worker.postMessage({ ...request, type: 'run', id } satisfies SpawnerRequest)
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  private failAll(detail: string): void {
    for (const resolve of this.pending.values()) {
      resolve({ kind: 'failed', detail, stderr: new Uint8Array() })
    }
    this.pending.clear()
  }
}

/** Runs the spec; resolves when the process has ended and its pipes have closed. Never rejects. */
export async function runSandboxProcess(spec: SandboxProcessSpec): Promise<SandboxProcessOutcome> {
  const outcome = await Spawner.get().run(
    {
      command: spec.command,
      user: spec.user,
      env: spec.env,
      stdin: spec.stdin,
      stdoutLimitBytes: spec.stdoutLimitBytes,
      stderrLimitBytes: spec.stderrLimitBytes,
      timeoutMs: spec.timeoutMs,
      ...(spec.seccomp ? { seccomp: spec.seccomp } : {}),
      niceness: spec.niceness ?? 10,
      cgroupProcsFiles: spec.cgroup?.procsFiles() ?? [],
    },
    spec.signal,
  )
  // The process group is dead; whatever left it (a double fork) dies with the cgroup.
  if (outcome.kind !== 'exited') await spec.cgroup?.kill()
  return toBuffers(outcome)
}
