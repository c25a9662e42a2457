/** Messages between the main thread and the spawner thread (spawner-worker.js). */

/** What a sandboxed process is: the same for the caller and the spawner thread. */
export interface ProcessSpec {
  /** Program and arguments, run behind the gate shell. */
  readonly command: readonly string[]
  /** Unprivileged identity; undefined when the platform is not root. */
  readonly user: { readonly uid: number; readonly gid: number } | undefined
  /** The environment of the process (bwrap clears and sets the module's own). */
  readonly env: Readonly<Record<string, string>>
  readonly stdin: Uint8Array
  readonly stdoutLimitBytes: number
  readonly stderrLimitBytes: number
  readonly timeoutMs: number
  /**
   * A seccomp program for bwrap's `--seccomp`: written on a pipe the process gets
   * as descriptor {@link SECCOMP_FD}. Absent: no such descriptor.
   */
  readonly seccomp?: Uint8Array
}

/** The descriptor a process reads its seccomp program from (3 is the gate). */
export const SECCOMP_FD = 4

/** Start one sandboxed process. */
export interface SpawnerRun extends ProcessSpec {
  readonly type: 'run'
  readonly id: number
  readonly niceness: number
  /** `cgroup.procs` files the pid is written to before the gate opens. */
  readonly cgroupProcsFiles: readonly string[]
}

/** Kill a running process (the call was cancelled). */
export interface SpawnerCancel {
  readonly type: 'cancel'
  readonly id: number
}

export type SpawnerRequest = SpawnerRun | SpawnerCancel

/** How a process ended; `Bytes` is what its output arrives as (Buffers on the caller's side). */
export type SpawnerOutcome<Bytes extends Uint8Array = Uint8Array> =
  | {
      readonly kind: 'exited'
      /** Exit status; 128 + n when bwrap saw its child die of signal n. */
      readonly exitCode: number
      readonly stdout: Bytes
      readonly stderr: Bytes
      readonly durationMs: number
    }
  | { readonly kind: 'timeout'; readonly stderr: Bytes }
  | { readonly kind: 'cancelled'; readonly stderr: Bytes }
  | { readonly kind: 'stdout_overflow'; readonly stderr: Bytes }
  | { readonly kind: 'failed'; readonly detail: string; readonly stderr: Bytes }

/** The spawner's answer to a run. */
export interface SpawnerReply {
  readonly id: number
  readonly outcome: SpawnerOutcome
}
