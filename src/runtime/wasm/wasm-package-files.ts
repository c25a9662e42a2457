/**
 * The files a WASM package's instances see when its manifest grants
 * `filesystem: read-only`: every regular file of the package directory, read once
 * per package version into SharedArrayBuffers, so every worker and every call
 * shares the same bytes. Symbolic links are never followed (they do not appear),
 * nor are hidden entries, sockets or devices; the instance never sees a host path.
 */
import { lstat, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ModulePackageInvalidError } from '../../core/errors/index.js'
import type { MountedFile } from './worker-protocol.js'

/** Limits of what one package may mount. */
export interface MountLimits {
  /** @default 4096 */
  readonly maxFiles: number
  /** @default 256 MiB */
  readonly maxTotalBytes: number
}

export const DEFAULT_MOUNT_LIMITS: MountLimits = { maxFiles: 4096, maxTotalBytes: 256 * 1024 ** 2 }

function tooLarge(packageName: string, message: string) {
  return new ModulePackageInvalidError({
    package: packageName,
    file: '.',
    violations: [{ path: '', message, keyword: 'size' }],
  })
}

/** Copies `bytes` into shared memory: workers receive a view of it, not a copy. */
function shared(bytes: Uint8Array): Uint8Array {
  const view = new Uint8Array(new SharedArrayBuffer(bytes.byteLength))
  view.set(bytes)
  return view
}

/**
 * Every regular file under `dir`, by relative slash-separated path. Throws
 * AION_MODULE_PACKAGE_INVALID when the package exceeds `limits`.
 */
export async function readMountedFiles(
  dir: string,
  packageName: string,
  limits: MountLimits = DEFAULT_MOUNT_LIMITS,
): Promise<MountedFile[]> {
  const files: MountedFile[] = []
  let totalBytes = 0
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.isDirectory()) {
        await walk(path)
        continue
      }
      if (!entry.isFile()) continue // links, sockets, devices: never mounted
      const info = await lstat(join(dir, path))
      if (!info.isFile()) continue
      totalBytes += info.size
      if (files.length + 1 > limits.maxFiles) {
        throw tooLarge(packageName, `holds more than ${limits.maxFiles} files to mount`)
      }
      if (totalBytes > limits.maxTotalBytes) {
        throw tooLarge(packageName, `holds more than ${limits.maxTotalBytes} bytes to mount`)
      }
      files.push({ path, bytes: shared(await readFile(join(dir, path))) })
    }
  }
  await walk('')
  return files
}
