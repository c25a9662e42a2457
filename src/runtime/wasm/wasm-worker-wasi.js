// @ts-check
/**
 * The WASI preview1 imports one worker hands every instance: the shim's
 * implementation, built once per worker and pointed at each call's descriptors
 * (so no closures are rebuilt per call), with the parts that are unsafe or
 * wasteful replaced:
 * - stdout/stderr write straight from the module's memory into capped sinks; past
 *   the stdout cap the call is over, so the write stops the instance;
 * - sockets answer `NOTSUP` (the shim throws a string), `proc_raise` too;
 * - `poll_oneoff` on one clock sleeps with `Atomics.wait` instead of spinning;
 * - opening more than {@link MAX_OPEN_FDS} descriptors answers `MFILE`.
 * Only the functions of wasm-host-api.js are exported, so the import object is
 * exactly the allow-list the load-time checks enforce.
 */
import { performance } from 'node:perf_hooks'
import { Fd, WASI, wasi } from '@bjorn3/browser_wasi_shim'
import { ERRNO, WASI_FUNCTIONS } from './wasm-host-api.js'

/** Descriptors one call may have open at once (stdio and the preopen included). */
export const MAX_OPEN_FDS = 256

/** Thrown from a host call to end the instance; the call's outcome is already decided. */
export class InstanceStopped extends Error {
  /** @param {string} reason */
  constructor(reason) {
    super(reason)
    this.name = 'InstanceStopped'
  }
}

/**
 * A byte sink with a cap: what fits is kept, the rest only marks `overflowed`, so a
 * module that floods its output cannot grow this thread's memory.
 */
export class OutputSink {
  /** @param {number} limitBytes */
  constructor(limitBytes) {
    this.limitBytes = limitBytes
    /** @type {Uint8Array[]} */
    this.chunks = []
    this.keptBytes = 0
    this.overflowed = false
  }

  /**
   * Keeps a copy of what fits of `view` (a view of the module's memory).
   * @param {Uint8Array} view
   */
  write(view) {
    const room = this.limitBytes - this.keptBytes
    if (view.byteLength > room) this.overflowed = true
    if (room <= 0) return
    const kept = view.byteLength > room ? view.subarray(0, room) : view
    this.chunks.push(kept.slice())
    this.keptBytes += kept.byteLength
  }

  /** @returns {Uint8Array} everything kept, in one buffer */
  bytes() {
    if (this.chunks.length === 1) return /** @type {Uint8Array} */ (this.chunks[0])
    const out = new Uint8Array(this.keptBytes)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.byteLength
    }
    return out
  }
}

/** stdout or stderr: a character device writing to a sink. */
export class OutputFd extends Fd {
  /** @param {OutputSink} sink @param {boolean} stopOnOverflow */
  constructor(sink, stopOnOverflow) {
    super()
    this.sink = sink
    this.stopOnOverflow = stopOnOverflow
  }

  /** @override */
  fd_fdstat_get() {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_CHARACTER_DEVICE, 0)
    fdstat.fs_rights_base = BigInt(wasi.RIGHTS_FD_WRITE)
    return { ret: ERRNO.SUCCESS, fdstat }
  }

  /** @override */
  fd_filestat_get() {
    return {
      ret: ERRNO.SUCCESS,
      filestat: new wasi.Filestat(0n, wasi.FILETYPE_CHARACTER_DEVICE, 0n),
    }
  }

  /** @param {Uint8Array} data @override */
  fd_write(data) {
    this.sink.write(data)
    if (this.stopOnOverflow && this.sink.overflowed) throw new InstanceStopped('stdout limit')
    return { ret: ERRNO.SUCCESS, nwritten: data.byteLength }
  }
}

/** @param {unknown} memory */
function bytesOf(memory) {
  return new Uint8Array(/** @type {{ buffer: ArrayBuffer }} */ (memory).buffer)
}

/**
 * The per-worker WASI state: `begin` points it at one call's arguments,
 * environment and descriptors; `imports` is the object every instance links.
 */
export class WorkerWasi {
  constructor() {
    // `debug: false` must be explicit: the shim logs every call when it is left out.
    this.shim = new WASI([], [], [], { debug: false })
    this.sleepCell = new Int32Array(new SharedArrayBuffer(4))
    /** @type {Record<string, unknown>} */
    const provided = { ...this.shim.wasiImport, ...this.overrides() }
    /** @type {Record<string, unknown>} */
    const imports = {}
    for (const name of WASI_FUNCTIONS) imports[name] = provided[name]
    this.imports = Object.freeze(imports)
  }

  /**
   * @param {readonly string[]} args
   * @param {readonly string[]} env
   * @param {Fd[]} fds
   */
  begin(args, env, fds) {
    this.shim.args = [...args]
    this.shim.env = [...env]
    this.shim.fds = fds
  }

  /**
   * Runs `_start`; the exit status, or throws what the instance threw.
   * @param {{ exports: Record<string, unknown> }} instance
   */
  start(instance) {
    return this.shim.start(/** @type {never} */ (instance))
  }

  /** Drops the call's descriptors and instance so nothing outlives it. */
  end() {
    this.shim.fds = []
    this.shim.inst = /** @type {never} */ (undefined)
  }

  /** @returns {Record<string, unknown>} */
  overrides() {
    const shim = this.shim
    const sleepCell = this.sleepCell
    const memory = () => shim.inst.exports.memory
    const denied = () => ERRNO.NOTSUP
    return {
      /** @param {number} fd @param {number} iovs @param {number} count @param {number} written */
      fd_write(fd, iovs, count, written) {
        const target = shim.fds[fd]
        if (!(target instanceof OutputFd)) {
          return /** @type {(...a: number[]) => number} */ (shim.wasiImport.fd_write)(
            fd,
            iovs,
            count,
            written,
          )
        }
        const bytes = bytesOf(memory())
        const view = new DataView(bytes.buffer)
        let total = 0
        for (let i = 0; i < count; i++) {
          const pointer = view.getUint32(iovs + i * 8, true)
          const length = view.getUint32(iovs + i * 8 + 4, true)
          if (pointer + length > bytes.byteLength) return ERRNO.INVAL
          target.fd_write(bytes.subarray(pointer, pointer + length))
          total += length
        }
        view.setUint32(written, total, true)
        return ERRNO.SUCCESS
      },
      /** @param {...number} args */
      path_open(...args) {
        if (
          shim.fds.length >= MAX_OPEN_FDS &&
          !shim.fds.includes(/** @type {never} */ (undefined))
        ) {
          return ERRNO.MFILE
        }
        const open = /** @type {(...a: number[]) => number} */ (shim.wasiImport.path_open)
        return open(...args)
      },
      /** @param {number} inPtr @param {number} outPtr @param {number} count @param {number} eventsOut */
      poll_oneoff(inPtr, outPtr, count, eventsOut) {
        if (count !== 1) return ERRNO.NOTSUP
        const view = new DataView(bytesOf(memory()).buffer)
        const subscription = wasi.Subscription.read_bytes(view, inPtr)
        if (subscription.eventtype !== wasi.EVENTTYPE_CLOCK) return ERRNO.NOTSUP
        const absolute = (subscription.flags & wasi.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0
        const nowNs =
          subscription.clockid === wasi.CLOCKID_REALTIME
            ? BigInt(Date.now()) * 1_000_000n
            : BigInt(Math.round(performance.now() * 1e6))
        const waitNs = absolute ? subscription.timeout - nowNs : subscription.timeout
        // The pool's deadline terminates this thread mid-wait when the sleep outlasts the call.
        if (waitNs > 0n) Atomics.wait(sleepCell, 0, 0, Number(waitNs / 1_000_000n))
        new wasi.Event(subscription.userdata, ERRNO.SUCCESS, wasi.EVENTTYPE_CLOCK).write_bytes(
          view,
          outPtr,
        )
        view.setUint32(eventsOut, 1, true)
        return ERRNO.SUCCESS
      },
      proc_raise: denied,
      sock_accept: denied,
      sock_recv: denied,
      sock_send: denied,
      sock_shutdown: denied,
    }
  }
}
