/**
 * Reads the name list, `data/names.txt`, from the package's own files: the
 * manifest grants `filesystem: read-only`, so the executor hands the module its
 * package directory as a WASI preopen. Raw WASI calls, since the WASI shim's
 * `process` has no file API.
 */
// An AssemblyScript library path (the WASI shim's raw bindings), and AssemblyScript has no
// `import type`.
/* eslint-disable import-x/no-unresolved, @typescript-eslint/consistent-type-imports */
import {
  errno,
  fd_close,
  fd_prestat_get,
  fd_read,
  path_open,
  prestat,
  rights,
} from '~lib/bindings/wasi_snapshot_preview1'
/* eslint-enable import-x/no-unresolved, @typescript-eslint/consistent-type-imports */
import { NameList } from './names'

const NAMES_FILE = 'data/names.txt'
/** WASI numbers preopened directories from 3, after stdin, stdout and stderr. */
const FIRST_PREOPEN: u32 = 3
const MAX_PREOPENS: u32 = 8
const MAX_BYTES = 256 * 1024

/** The loaded list, or why it could not be loaded. */
export class NameSource {
  constructor(
    public list: NameList,
    public error: string,
  ) {}
}

/** Opens `path` for reading relative to the first preopen that has it; -1 when none does. */
function openInPreopens(path: string): i64 {
  const name = String.UTF8.encode(path)
  const description = new ArrayBuffer(8)
  const opened = new ArrayBuffer(4)
  for (let fd = FIRST_PREOPEN; fd < FIRST_PREOPEN + MAX_PREOPENS; fd++) {
    const probe = fd_prestat_get(fd, changetype<prestat>(changetype<usize>(description)))
    if (probe == errno.BADF) break
    if (probe != errno.SUCCESS) continue
    const result = path_open(
      fd,
      0,
      changetype<usize>(name),
      <usize>name.byteLength,
      0,
      rights.FD_READ,
      0,
      0,
      changetype<usize>(opened),
    )
    if (result == errno.SUCCESS) return <i64>load<u32>(changetype<usize>(opened))
  }
  return -1
}

/** Reads the open file `fd` to its end (at most MAX_BYTES); null on a read error. */
function readAll(fd: u32): ArrayBuffer | null {
  const buffer = new ArrayBuffer(MAX_BYTES)
  const iovec = new ArrayBuffer(<i32>(2 * sizeof<usize>()))
  const count = new ArrayBuffer(<i32>sizeof<usize>())
  let length = 0
  while (length < MAX_BYTES) {
    store<usize>(changetype<usize>(iovec), changetype<usize>(buffer) + <usize>length)
    store<usize>(changetype<usize>(iovec), <usize>(MAX_BYTES - length), sizeof<usize>())
    const result = fd_read(fd, changetype<usize>(iovec), 1, changetype<usize>(count))
    if (result != errno.SUCCESS) return null
    const read = <i32>load<usize>(changetype<usize>(count))
    if (read == 0) break
    length += read
  }
  return buffer.slice(0, length)
}

export function loadNameList(): NameSource {
  const fd = openInPreopens(NAMES_FILE)
  if (fd < 0) {
    const missing = NAMES_FILE + ' is not readable (the package needs filesystem: read-only)'
    return new NameSource(new NameList(''), missing)
  }
  const bytes = readAll(<u32>fd)
  fd_close(<u32>fd)
  if (bytes === null) return new NameSource(new NameList(''), 'cannot read ' + NAMES_FILE)
  return new NameSource(new NameList(String.UTF8.decode(bytes)), '')
}
