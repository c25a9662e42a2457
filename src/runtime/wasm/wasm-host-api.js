// @ts-check
/**
 * The host API a WASM module may import, shared by the load-time checks (which
 * refuse any other import) and the worker thread (which provides exactly these).
 * Plain JavaScript so the worker can load it without TypeScript (see wasm-worker.js).
 *
 * `aion_http.fetch` — the module's only way to the network:
 *
 *   (import "aion_http" "fetch"
 *     (func (param $request i32 $request_len i32 $response i32 $response_cap i32
 *                  $response_len_out i32) (result i32)))
 *
 * The request is UTF-8 JSON `{"url", "method"?, "headers"?, "body"?}` (body as text);
 * the response, written at `$response`, is UTF-8 JSON `{"status", "headers", "body"}`
 * and its length at `$response_len_out`. The result is a WASI errno: 0 success,
 * `INVAL` for a malformed request, `NOBUFS` when the response does not fit
 * (`$response_len_out` then holds the bytes needed), `FBIG` when the response body
 * is over the host's limit, `IO` for a network failure, `TIMEDOUT` when the host
 * did not answer in time. Redirects are not followed (the module sees the 3xx). A URL outside the manifest's
 * allow-list never returns: the call ends with AION_EGRESS_DENIED.
 */

/** The WASI module name. */
export const WASI_MODULE = 'wasi_snapshot_preview1'

/** The host module of network calls. */
export const HTTP_MODULE = 'aion_http'

/** Functions of {@link HTTP_MODULE}. */
export const HTTP_FUNCTIONS = Object.freeze(['fetch'])

/**
 * Every WASI preview1 function the worker provides. The socket functions are
 * among them only to answer `NOTSUP`; path mutations answer `ROFS` (see wasm-worker-fs.js).
 */
export const WASI_FUNCTIONS = Object.freeze([
  'args_get',
  'args_sizes_get',
  'environ_get',
  'environ_sizes_get',
  'clock_res_get',
  'clock_time_get',
  'fd_advise',
  'fd_allocate',
  'fd_close',
  'fd_datasync',
  'fd_fdstat_get',
  'fd_fdstat_set_flags',
  'fd_fdstat_set_rights',
  'fd_filestat_get',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_pread',
  'fd_prestat_get',
  'fd_prestat_dir_name',
  'fd_pwrite',
  'fd_read',
  'fd_readdir',
  'fd_renumber',
  'fd_seek',
  'fd_sync',
  'fd_tell',
  'fd_write',
  'path_create_directory',
  'path_filestat_get',
  'path_filestat_set_times',
  'path_link',
  'path_open',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'path_unlink_file',
  'poll_oneoff',
  'proc_exit',
  'proc_raise',
  'sched_yield',
  'random_get',
  'sock_accept',
  'sock_recv',
  'sock_send',
  'sock_shutdown',
])

/** WASI errno values the host answers with (WASI preview1 `errno`). */
export const ERRNO = Object.freeze({
  SUCCESS: 0,
  ACCES: 2,
  BADF: 8,
  FBIG: 22,
  INVAL: 28,
  IO: 29,
  MFILE: 33,
  NOBUFS: 42,
  NOENT: 44,
  NOSYS: 52,
  NOTSUP: 58,
  PERM: 63,
  ROFS: 69,
  TIMEDOUT: 73,
  NOTCAPABLE: 76,
})

/** Where the package's files appear to the module: a preopened directory named `.`. */
export const PACKAGE_DIR_NAME = '.'

/**
 * Layout of the shared buffer of one worker's host-call channel: an Int32 state
 * word, an Int32 length word, then the payload. The worker waits on the state.
 */
export const CHANNEL = Object.freeze({
  /** Waiting for the main thread. */
  PENDING: 0,
  /** Answered: payload holds the response JSON, length its bytes. */
  ANSWERED: 1,
  /** Answered with an errno in the length word and no payload. */
  FAILED: 2,
  /** The URL is not allowed: the instance must stop. */
  DENIED: 3,
  /** Bytes before the payload. */
  HEADER_BYTES: 8,
})
