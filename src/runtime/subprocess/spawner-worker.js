// @ts-check
/**
 * The spawner thread: forks every sandboxed process off the main thread. fork()
 * copies the parent's page tables, which takes milliseconds in a process with a
 * large heap (the platform): here that cost stalls this thread, never the
 * event loop serving requests.
 *
 * Each run: spawn the gate shell as the sandbox user in its own process group,
 * lower its priority, write its pid into the call's cgroup, open the gate, feed
 * stdin, collect stdout/stderr up to their caps, and kill the process group on
 * timeout, cancel or stdout overflow. Plain JavaScript (type-checked through
 * JSDoc) so it loads the same from source and from compiled output.
 */
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { constants, setPriority } from 'node:os'
import { performance } from 'node:perf_hooks'
import { clearTimeout, setTimeout } from 'node:timers'
import { parentPort } from 'node:worker_threads'

/** @typedef {import('./spawner-protocol.js').SpawnerRequest} SpawnerRequest */
/** @typedef {import('./spawner-protocol.js').SpawnerRun} SpawnerRun */
/** @typedef {import('./spawner-protocol.js').SpawnerOutcome} SpawnerOutcome */

// The gate: block until the parent writes a line to fd 3 (after the cgroup
// attach), then close it and become the command. The shell is /bin/sh, run as
// the sandbox user, so nothing runs before it is inside the cgroup.
const GATE = 'read -r go <&3 || exit 125; exec 3<&-; exec "$@"'

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort)

/** @type {Map<number, (reason: 'cancelled') => void>} */
const running = new Map()

/**
 * Collects a stream's bytes up to `limit`; `push` reports whether more came.
 * @param {number} limit
 */
function collector(limit) {
  /** @type {Buffer[]} */
  const chunks = []
  let size = 0
  let overflowed = false
  return {
    /** @param {Buffer} chunk */
    push(chunk) {
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
    bytes: () => new Uint8Array(Buffer.concat(chunks)),
  }
}

/**
 * Runs one request and posts its outcome.
 * @param {SpawnerRun} run
 */
function start(run) {
  const started = performance.now()
  const [program, ...args] = run.command
  const child = spawn('/bin/sh', ['-c', GATE, 'aion-sandbox', String(program), ...args], {
    env: { ...run.env },
    // Descriptor 4 (SECCOMP_FD of spawner-protocol.ts) carries the seccomp program.
    stdio: run.seccomp
      ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe']
      : ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
    ...(run.user ?? {}),
  })
  const stdout = collector(run.stdoutLimitBytes)
  const stderr = collector(run.stderrLimitBytes)
  /** @type {'timeout' | 'cancelled' | 'stdout_overflow' | undefined} */
  let ending
  /** @type {string | undefined} */
  let failure

  /** @param {'timeout' | 'cancelled' | 'stdout_overflow' | undefined} reason */
  const killGroup = (reason) => {
    ending ??= reason
    if (child.pid === undefined) return
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // The group is gone already.
    }
  }
  const timer = setTimeout(() => killGroup('timeout'), run.timeoutMs)
  running.set(run.id, killGroup)

  child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    if (stdout.push(chunk)) killGroup('stdout_overflow')
  })
  child.stderr.on('data', (/** @type {Buffer} */ chunk) => stderr.push(chunk))
  // EPIPE when the module exits without reading its input: not a failure by itself.
  child.stdin.on('error', () => undefined)
  const gate = /** @type {import('node:stream').Writable} */ (child.stdio[3])
  gate.on('error', () => undefined)
  if (run.seccomp) {
    const filter = /** @type {import('node:stream').Writable} */ (child.stdio[4])
    filter.on('error', () => undefined)
    filter.end(run.seccomp)
  }
  child.on('error', (error) => {
    failure = `cannot start the sandbox: ${error.message}`
  })
  child.on('close', (code, signal) => {
    clearTimeout(timer)
    running.delete(run.id)
    /** @type {SpawnerOutcome} */
    const outcome =
      failure !== undefined
        ? { kind: 'failed', detail: failure, stderr: stderr.bytes() }
        : ending !== undefined
          ? { kind: ending, stderr: stderr.bytes() }
          : {
              kind: 'exited',
              exitCode: code ?? 128 + (signal === null ? 0 : constants.signals[signal]),
              stdout: stdout.bytes(),
              stderr: stderr.bytes(),
              durationMs: performance.now() - started,
            }
    port.postMessage({ id: run.id, outcome })
  })

  const pid = child.pid
  if (pid === undefined) return
  try {
    setPriority(pid, run.niceness)
  } catch {
    // Not permitted here: the module runs at the platform's priority.
  }
  Promise.all(run.cgroupProcsFiles.map((file) => writeFile(file, String(pid)))).then(
    () => {
      gate.end('go\n')
      child.stdin.end(run.stdin)
    },
    (/** @type {Error} */ error) => {
      failure = `cannot move the process into its cgroup: ${error.message}`
      killGroup(undefined)
    },
  )
}

port.on('message', (/** @type {SpawnerRequest} */ message) => {
  if (message.type === 'run') start(message)
  else running.get(message.id)?.('cancelled')
})
