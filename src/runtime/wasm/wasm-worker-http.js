// @ts-check
/**
 * The worker's side of `aion_http.fetch` (see wasm-host-api.js for the ABI).
 *
 * WASM calls its imports synchronously, while a fetch is asynchronous and its
 * policy lives on the main thread. The worker therefore posts the request to the
 * main thread and blocks in `Atomics.wait` on a SharedArrayBuffer until the main
 * thread has checked the URL against the egress policy (the same EgressPolicy
 * class providers use), fetched, and written the answer into that buffer. Doing
 * the fetch here instead would put the network, the policy and the platform's
 * egress rules in every worker; this way the worker never holds more than bytes,
 * the main thread can abort a fetch when the call ends, and a deadline still kills
 * the blocked worker (terminate interrupts Atomics.wait).
 */
import { CHANNEL, ERRNO } from './wasm-host-api.js'
import { InstanceStopped } from './wasm-worker-wasi.js'

/** The largest request JSON a module may pass. */
export const MAX_REQUEST_BYTES = 1024 * 1024

/** @typedef {import('./worker-protocol.js').WorkerHostCallMessage} WorkerHostCallMessage */

/**
 * One worker's channel to the main thread.
 * @param {SharedArrayBuffer} buffer shared with the pool (see CHANNEL for its layout)
 * @param {(message: WorkerHostCallMessage, transfer: ArrayBuffer[]) => void} post
 */
export function createHttpChannel(buffer, post) {
  const words = new Int32Array(buffer, 0, 2)
  const payload = new Uint8Array(buffer, CHANNEL.HEADER_BYTES)
  const channel = {
    /** Set when the main thread refused a URL; the call's outcome is then decided. */
    denied: false,
    /**
     * The import itself; `memory` is read per call (it may have grown).
     * @param {() => { buffer: ArrayBuffer }} memory
     */
    fetchImport(memory) {
      /**
       * @param {number} request @param {number} requestLength
       * @param {number} response @param {number} responseCap @param {number} lengthOut
       */
      return function fetch(request, requestLength, response, responseCap, lengthOut) {
        if (channel.denied) throw new InstanceStopped('egress denied')
        const bytes = new Uint8Array(memory().buffer)
        const inBounds = (/** @type {number} */ at, /** @type {number} */ length) =>
          at >= 0 && length >= 0 && at + length <= bytes.byteLength
        if (requestLength > MAX_REQUEST_BYTES || !inBounds(request, requestLength)) {
          return ERRNO.INVAL
        }
        if (!inBounds(response, responseCap) || !inBounds(lengthOut, 4)) return ERRNO.INVAL
        const body = bytes.slice(request, request + requestLength)
        Atomics.store(words, 0, CHANNEL.PENDING)
        post({ type: 'host-call', call: 'fetch', request: body }, [body.buffer])
        Atomics.wait(words, 0, CHANNEL.PENDING)
        const state = Atomics.load(words, 0)
        const length = Atomics.load(words, 1)
        if (state === CHANNEL.DENIED) {
          channel.denied = true
          throw new InstanceStopped('egress denied')
        }
        if (state === CHANNEL.FAILED) return length
        new DataView(bytes.buffer).setUint32(lengthOut, length, true)
        if (length > responseCap) return ERRNO.NOBUFS
        bytes.set(payload.subarray(0, length), response)
        return ERRNO.SUCCESS
      }
    },
  }
  return channel
}
