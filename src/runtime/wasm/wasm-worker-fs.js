// @ts-check
/**
 * A read-only in-memory filesystem for WASI preview1, built on the shim's `Fd` and
 * `Inode` base classes. The shim's own `File`/`Directory` are writable in many
 * ways even when marked read-only (O_CREAT, allocate, set_size, rename, link,
 * unlink), so none of them is used: here every mutation answers `ROFS` (or `BADF`
 * on a descriptor opened for reading), paths resolve only inside the tree
 * (absolute paths and `..` above the root answer `NOTCAPABLE`), and the tree holds
 * no symbolic links at all. File bytes are views of buffers shared by every call
 * (and, as SharedArrayBuffers, by every worker): nothing is copied until the
 * module reads it into its own memory.
 */
import { Fd, Inode, wasi } from '@bjorn3/browser_wasi_shim'
import { ERRNO } from './wasm-host-api.js'

const READ_RIGHTS =
  wasi.RIGHTS_FD_READ |
  wasi.RIGHTS_FD_SEEK |
  wasi.RIGHTS_FD_TELL |
  wasi.RIGHTS_FD_ADVISE |
  wasi.RIGHTS_FD_FILESTAT_GET |
  wasi.RIGHTS_POLL_FD_READWRITE

const DIRECTORY_RIGHTS =
  wasi.RIGHTS_PATH_OPEN |
  wasi.RIGHTS_FD_READDIR |
  wasi.RIGHTS_PATH_READLINK |
  wasi.RIGHTS_PATH_FILESTAT_GET |
  wasi.RIGHTS_FD_FILESTAT_GET

/** Rights a descriptor of this filesystem can never hold. */
const WRITE_RIGHTS =
  wasi.RIGHTS_FD_WRITE |
  wasi.RIGHTS_FD_ALLOCATE |
  wasi.RIGHTS_FD_FILESTAT_SET_SIZE |
  wasi.RIGHTS_FD_FILESTAT_SET_TIMES |
  wasi.RIGHTS_FD_DATASYNC |
  wasi.RIGHTS_FD_SYNC

/** A regular file: a view of bytes nobody writes. */
export class ReadOnlyFile extends Inode {
  /** @param {Uint8Array} data */
  constructor(data) {
    super()
    this.data = data
  }

  /**
   * @param {number} oflags
   * @param {bigint} rightsBase
   * @param {number} fdflags
   * @returns {{ ret: number, fd_obj: Fd | null }}
   */
  path_open(oflags, rightsBase, fdflags) {
    if (oflags & wasi.OFLAGS_DIRECTORY) return { ret: wasi.ERRNO_NOTDIR, fd_obj: null }
    const writes = (rightsBase & BigInt(WRITE_RIGHTS)) !== 0n || fdflags & wasi.FDFLAGS_APPEND
    if (writes || oflags & (wasi.OFLAGS_CREAT | wasi.OFLAGS_TRUNC)) {
      return { ret: ERRNO.ROFS, fd_obj: null }
    }
    return { ret: ERRNO.SUCCESS, fd_obj: new ReadOnlyOpenFile(this) }
  }

  stat() {
    return new wasi.Filestat(this.ino, wasi.FILETYPE_REGULAR_FILE, BigInt(this.data.byteLength))
  }
}

/** A directory: names to files and directories, fixed when built. */
export class ReadOnlyDirectory extends Inode {
  /** @param {Map<string, ReadOnlyFile | ReadOnlyDirectory>} entries */
  constructor(entries) {
    super()
    this.entries = entries
  }

  /** @returns {{ ret: number, fd_obj: Fd | null }} */
  path_open() {
    return { ret: ERRNO.SUCCESS, fd_obj: new ReadOnlyOpenDirectory(this) }
  }

  stat() {
    return new wasi.Filestat(this.ino, wasi.FILETYPE_DIRECTORY, 0n)
  }
}

/**
 * The tree of `files` (relative slash-separated paths to bytes). Built once per
 * package per worker; every call's preopen shares it, which is safe because
 * nothing here can change it.
 * @param {ReadonlyArray<{ path: string, bytes: Uint8Array }>} files
 */
export function buildTree(files) {
  const root = new ReadOnlyDirectory(new Map())
  for (const { path, bytes } of files) {
    const parts = path.split('/')
    const name = parts.pop()
    if (name === undefined) continue
    let dir = root
    for (const part of parts) {
      let next = dir.entries.get(part)
      if (!(next instanceof ReadOnlyDirectory)) {
        next = new ReadOnlyDirectory(new Map())
        dir.entries.set(part, next)
      }
      dir = next
    }
    dir.entries.set(name, new ReadOnlyFile(bytes))
  }
  return root
}

/**
 * The entry `path` names under `dir`. Only the module's view exists: no absolute
 * path, no `..` above `dir`, no symbolic link (there are none to follow).
 * @param {ReadOnlyDirectory} dir
 * @param {string} path
 * @returns {{ ret: number, entry: ReadOnlyFile | ReadOnlyDirectory | null }}
 */
function resolve(dir, path) {
  if (path.startsWith('/')) return { ret: ERRNO.NOTCAPABLE, entry: null }
  if (path.includes('\0')) return { ret: ERRNO.INVAL, entry: null }
  /** @type {ReadOnlyDirectory[]} */
  const stack = [dir]
  /** @type {ReadOnlyFile | ReadOnlyDirectory} */
  let entry = dir
  const parts = path.split('/')
  for (let i = 0; i < parts.length; i++) {
    const part = /** @type {string} */ (parts[i])
    if (part === '' || part === '.') continue
    if (!(entry instanceof ReadOnlyDirectory)) return { ret: wasi.ERRNO_NOTDIR, entry: null }
    if (part === '..') {
      stack.pop()
      const parent = stack[stack.length - 1]
      if (parent === undefined) return { ret: ERRNO.NOTCAPABLE, entry: null }
      entry = parent
      continue
    }
    const child = entry.entries.get(part)
    if (child === undefined) return { ret: ERRNO.NOENT, entry: null }
    if (child instanceof ReadOnlyDirectory) stack.push(child)
    entry = child
  }
  if (path.endsWith('/') && !(entry instanceof ReadOnlyDirectory)) {
    return { ret: wasi.ERRNO_NOTDIR, entry: null }
  }
  return { ret: ERRNO.SUCCESS, entry }
}

/** A file opened for reading. */
export class ReadOnlyOpenFile extends Fd {
  /** @param {{ data: Uint8Array, stat(): wasi.Filestat }} file */
  constructor(file) {
    super()
    this.file = file
    this.position = 0
  }

  /** @param {number} size @override */
  fd_read(size) {
    const data = this.file.data.subarray(this.position, this.position + size)
    this.position += data.byteLength
    return { ret: ERRNO.SUCCESS, data }
  }

  /** @param {number} size @param {bigint} offset @override */
  fd_pread(size, offset) {
    const start = Number(offset)
    return { ret: ERRNO.SUCCESS, data: this.file.data.subarray(start, start + size) }
  }

  /** @param {bigint} offset @param {number} whence @override */
  fd_seek(offset, whence) {
    const base =
      whence === wasi.WHENCE_SET
        ? 0n
        : whence === wasi.WHENCE_CUR
          ? BigInt(this.position)
          : whence === wasi.WHENCE_END
            ? BigInt(this.file.data.byteLength)
            : -1n
    const target = base + offset
    if (base < 0n || target < 0n || target > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { ret: ERRNO.INVAL, offset: 0n }
    }
    this.position = Number(target)
    return { ret: ERRNO.SUCCESS, offset: target }
  }

  /** @override */
  fd_tell() {
    return { ret: ERRNO.SUCCESS, offset: BigInt(this.position) }
  }

  /** @override */
  fd_fdstat_get() {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_REGULAR_FILE, 0)
    fdstat.fs_rights_base = BigInt(READ_RIGHTS)
    return { ret: ERRNO.SUCCESS, fdstat }
  }

  /** @override */
  fd_filestat_get() {
    return { ret: ERRNO.SUCCESS, filestat: this.file.stat() }
  }

  /** @override */
  fd_write() {
    return { ret: ERRNO.BADF, nwritten: 0 }
  }

  /** @override */
  fd_pwrite() {
    return { ret: ERRNO.BADF, nwritten: 0 }
  }

  /** @override */
  fd_allocate() {
    return ERRNO.BADF
  }

  /** @override */
  fd_filestat_set_size() {
    return ERRNO.BADF
  }

  /** @override */
  fd_filestat_set_times() {
    return ERRNO.ROFS
  }

  /** @override */
  fd_fdstat_set_flags() {
    return ERRNO.NOTSUP
  }
}

/** A directory opened for lookups and listing. */
export class ReadOnlyOpenDirectory extends Fd {
  /** @param {ReadOnlyDirectory} dir */
  constructor(dir) {
    super()
    this.dir = dir
  }

  /** @override */
  fd_fdstat_get() {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_DIRECTORY, 0)
    fdstat.fs_rights_base = BigInt(DIRECTORY_RIGHTS)
    fdstat.fs_rights_inherited = BigInt(READ_RIGHTS | DIRECTORY_RIGHTS)
    return { ret: ERRNO.SUCCESS, fdstat }
  }

  /** @override */
  fd_filestat_get() {
    return { ret: ERRNO.SUCCESS, filestat: this.dir.stat() }
  }

  /** @param {bigint} cookie @override */
  fd_readdir_single(cookie) {
    if (cookie === 0n) {
      return { ret: 0, dirent: new wasi.Dirent(1n, this.dir.ino, '.', wasi.FILETYPE_DIRECTORY) }
    }
    if (cookie === 1n) {
      return { ret: 0, dirent: new wasi.Dirent(2n, this.dir.ino, '..', wasi.FILETYPE_DIRECTORY) }
    }
    const index = Number(cookie - 2n)
    const listed = [...this.dir.entries][index]
    if (listed === undefined) return { ret: ERRNO.SUCCESS, dirent: null }
    const [name, entry] = listed
    const type = entry.stat().filetype
    return { ret: ERRNO.SUCCESS, dirent: new wasi.Dirent(cookie + 1n, entry.ino, name, type) }
  }

  /**
   * @param {number} _dirflags
   * @param {string} path
   * @param {number} oflags
   * @param {bigint} rightsBase
   * @param {bigint} _rightsInheriting
   * @param {number} fdflags
   * @returns {{ ret: number, fd_obj: Fd | null }}
   * @override
   */
  path_open(_dirflags, path, oflags, rightsBase, _rightsInheriting, fdflags) {
    const { ret, entry } = resolve(this.dir, path)
    if (entry === null) {
      // Creating a file that does not exist is a write, like any other.
      const creates = ret === ERRNO.NOENT && oflags & wasi.OFLAGS_CREAT
      return { ret: creates ? ERRNO.ROFS : ret, fd_obj: null }
    }
    return entry.path_open(oflags, rightsBase, fdflags)
  }

  /** @param {number} _flags @param {string} path @override */
  path_filestat_get(_flags, path) {
    const { ret, entry } = resolve(this.dir, path)
    return entry === null ? { ret, filestat: null } : { ret: ERRNO.SUCCESS, filestat: entry.stat() }
  }

  /** @param {string} path @override */
  path_readlink(path) {
    const { ret, entry } = resolve(this.dir, path)
    // Nothing here is a symbolic link.
    return { ret: entry === null ? ret : ERRNO.INVAL, data: null }
  }

  /** @override */
  path_lookup() {
    return { ret: ERRNO.ROFS, inode_obj: null }
  }

  /** @override */
  path_create_directory() {
    return ERRNO.ROFS
  }

  /** @override */
  path_link() {
    return ERRNO.ROFS
  }

  /** @override */
  path_unlink() {
    return { ret: ERRNO.ROFS, inode_obj: null }
  }

  /** @override */
  path_unlink_file() {
    return ERRNO.ROFS
  }

  /** @override */
  path_remove_directory() {
    return ERRNO.ROFS
  }

  /** @override */
  path_rename() {
    return ERRNO.ROFS
  }

  /** @override */
  path_filestat_set_times() {
    return ERRNO.ROFS
  }

  /** @override */
  fd_filestat_set_times() {
    return ERRNO.ROFS
  }

  /** @override */
  fd_read() {
    return { ret: wasi.ERRNO_ISDIR, data: new Uint8Array(0) }
  }

  /** @override */
  fd_write() {
    return { ret: ERRNO.BADF, nwritten: 0 }
  }

  /** @override */
  fd_pread() {
    return { ret: wasi.ERRNO_ISDIR, data: new Uint8Array(0) }
  }

  /** @override */
  fd_pwrite() {
    return { ret: ERRNO.BADF, nwritten: 0 }
  }

  /** @override */
  fd_allocate() {
    return ERRNO.BADF
  }

  /** @override */
  fd_filestat_set_size() {
    return ERRNO.BADF
  }
}

/** The directory handed to the module as a preopen (fd 3). */
export class ReadOnlyPreopen extends ReadOnlyOpenDirectory {
  /** @param {string} name @param {ReadOnlyDirectory} dir */
  constructor(name, dir) {
    super(dir)
    this.prestat = wasi.Prestat.dir(name)
  }

  /** @override */
  fd_prestat_get() {
    return { ret: ERRNO.SUCCESS, prestat: this.prestat }
  }
}
