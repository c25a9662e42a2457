/**
 * How a `modules.yml` entry's `ref` resolves through installed packages.
 *
 * The rule: an entry `{name, ref}` is served by the package of the same
 * `name` that the executor loaded from the packages directory. When the
 * `modules` table holds an installed row for that name, the ref must match
 * it — a ref pinning a digest (`…@sha256:<hex>`) must equal the row's
 * artifact digest; otherwise a ref whose tag looks like a version
 * (`…:1.3.0`) must equal the row's version (a tag such as `latest` matches
 * any version). A loaded package with no installed row is a development
 * package (the samples in `./modules` on a fresh clone) and serves as-is.
 * Anything else — nothing loaded, a quarantined row, another version or
 * digest — is reported so startup can warn; routing itself only ever sees
 * what the executor loaded.
 */
import type { ModuleRecord } from '../../storage/index.js'
import { parseReference } from '../oci/index.js'

/** How one entry resolved. */
export type ModuleRefStatus =
  | 'installed'
  | 'development'
  | 'not_loaded'
  | 'version_mismatch'
  | 'digest_mismatch'
  | 'quarantined'
  | 'missing'
  | 'ref_invalid'

/** One entry's resolution. */
export interface ModuleRefResolution {
  readonly name: string
  readonly ref: string
  readonly status: ModuleRefStatus
  /** The installed (or quarantined) row's version and digest, when there is one. */
  readonly version?: string
  readonly digest?: string
  /** Why it does not resolve; absent for `installed` and `development`. */
  readonly detail?: string
}

const VERSION_TAG = /^v?\d+(\.\d+){0,2}([-+].*)?$/

/** Resolves each entry; `loaded` is what the executor serves, by module name. */
export function resolveModuleRefs(
  entries: readonly { readonly name: string; readonly ref: string }[],
  records: readonly ModuleRecord[],
  loaded: ReadonlyMap<string, { readonly version: string }>,
): ModuleRefResolution[] {
  return entries.map((entry) => resolveOne(entry, records, loaded.get(entry.name)))
}

function resolveOne(
  entry: { readonly name: string; readonly ref: string },
  records: readonly ModuleRecord[],
  served: { readonly version: string } | undefined,
): ModuleRefResolution {
  const base = { name: entry.name, ref: entry.ref }
  let ref
  try {
    ref = parseReference(entry.ref)
  } catch (error) {
    return { ...base, status: 'ref_invalid', detail: (error as Error).message }
  }
  const mine = records.filter((r) => r.name === entry.name)
  const rows = mine.filter((r) => r.status === 'installed')
  const installed = rows.find((r) => r.version === served?.version)
  if (!installed) return unresolved(base, mine, rows, served)
  const found = { ...base, version: installed.version, digest: installed.digest }
  if (ref.digest !== undefined && ref.digest !== installed.digest) {
    const detail = `the ref pins ${ref.digest}; installed is ${installed.digest}`
    return { ...found, status: 'digest_mismatch', detail }
  }
  const tagVersion = ref.tag?.replace(/^v/, '')
  if (ref.digest === undefined && ref.tag && VERSION_TAG.test(ref.tag)) {
    if (tagVersion !== installed.version) {
      const detail = `the ref asks for ${ref.tag}; installed is ${installed.version}`
      return { ...found, status: 'version_mismatch', detail }
    }
  }
  return { ...found, status: 'installed' }
}

/** An entry no installed row serves: a development package, or why it does not resolve. */
function unresolved(
  base: { readonly name: string; readonly ref: string },
  mine: readonly ModuleRecord[],
  rows: readonly ModuleRecord[],
  served: { readonly version: string } | undefined,
): ModuleRefResolution {
  const stray = rows[0]
  if (served && !stray) return { ...base, status: 'development', version: served.version }
  if (stray) {
    const loaded = served ? `${served.version} is loaded` : 'no package of that name is loaded'
    const detail = `installed as ${rows.map((r) => r.version).join(', ')} but ${loaded}`
    return { ...base, status: 'not_loaded', version: stray.version, digest: stray.digest, detail }
  }
  const quarantined = mine.find((r) => r.status === 'quarantined')
  if (quarantined) {
    const { version, digest, reason } = quarantined
    return { ...base, status: 'quarantined', version, digest, detail: reason ?? 'quarantined' }
  }
  return { ...base, status: 'missing', detail: `no package named ${base.name} is installed` }
}
