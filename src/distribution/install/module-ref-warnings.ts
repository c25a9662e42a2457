/**
 * Startup (and post-install) warnings for `modules.yml` entries whose `ref`
 * does not resolve through an installed package (see the rule in
 * module-refs.ts). Development packages — loaded from the
 * packages directory with no installed row, like the samples on a fresh clone
 * — are fine and logged at debug level only.
 */
import { basename } from 'node:path'
import type { Logger } from 'pino'
import type { RegistrySet } from '../../core/registry/index.js'
import { resolveModuleRefs, type ModuleRefResolution } from './module-refs.js'
import type { ModuleRecord } from '../../storage/index.js'

/** A package of the packages directory that was not loaded, and why. */
export interface QuarantinedFolder {
  readonly dir: string
  readonly error: { readonly code: string; readonly message: string }
}

/**
 * Logs a warning per unresolved entry; returns every entry's resolution. An
 * entry whose package folder (same name) is quarantined says why.
 */
export function warnUnresolvedModules(
  set: RegistrySet,
  records: readonly ModuleRecord[],
  loaded: ReadonlyMap<string, { readonly version: string }>,
  logger: Pick<Logger, 'warn' | 'debug'>,
  quarantined: readonly QuarantinedFolder[] = [],
): ModuleRefResolution[] {
  const resolutions = resolveModuleRefs(set.modules.modules, records, loaded)
  for (const resolution of resolutions) {
    if (resolution.status === 'installed') continue
    if (resolution.status === 'development') {
      logger.debug(resolution, 'modules.yml entry served by a development package')
      continue
    }
    const folder = quarantined.find((entry) => basename(entry.dir) === resolution.name)
    const why = folder
      ? `; its package folder ${folder.dir} is quarantined: ${folder.error.code}: ${folder.error.message}`
      : ''
    logger.warn(
      resolution,
      `modules.yml entry ${resolution.name} does not resolve: ${resolution.detail ?? resolution.status}${why}`,
    )
  }
  return resolutions
}
