/**
 * Temporary registry directories for tests: a copy of `config/`, optionally
 * overlaid with a case from `test/fixtures/registries/broken/`.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's sample registry directory. */
export const configDir = fileURLToPath(new URL('../../../config/', import.meta.url))

/** The broken-registry fixtures. */
export const brokenFixturesDir = fileURLToPath(
  new URL('../../../test/fixtures/registries/broken/', import.meta.url),
)

const created: string[] = []

/** A fresh copy of `config/`, with the files of fixture case `overlay` copied over it. */
export function registryDir(overlay?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'aion-registry-'))
  created.push(dir)
  cpSync(configDir, dir, { recursive: true })
  if (overlay !== undefined) cpSync(join(brokenFixturesDir, overlay), dir, { recursive: true })
  return dir
}

/** Removes every directory {@link registryDir} made. */
export function removeRegistryDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}
