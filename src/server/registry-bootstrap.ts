import { RegistryInvalidError } from '../core/errors/index.js'
import { loadRegistrySet, type RegistrySet } from '../core/registry/index.js'
import type { Store } from '../storage/index.js'

/** Loads the registry files; throws {@link RegistryInvalidError} listing every issue. */
export async function loadRegistriesOrThrow(configDir: string): Promise<RegistrySet> {
  const result = await loadRegistrySet(configDir)
  if (!result.ok) throw new RegistryInvalidError({ issues: result.issues })
  return result.set
}

/**
 * Records the set as a registry version (reusing the latest version when its
 * content hash is the same) and makes it the active one.
 */
export async function activateRegistrySet(
  store: Store,
  set: RegistrySet,
  createdBy: string,
): Promise<number> {
  const latest = await store.registries.latest()
  const version =
    latest?.contentHash === set.contentHash
      ? latest.version
      : (
          await store.registries.append({
            contentHash: set.contentHash,
            sources: set.sources,
            createdBy,
          })
        ).version
  await store.registries.setActive(version)
  return version
}
