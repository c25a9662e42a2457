/**
 * The local half of an install's checks, on the verified archive: every check
 * of the modules issue (archive entries, manifest contract, schemas, package
 * tree, and the runtime's own load checks — the WASM module compiled with its
 * memory maximum and imports checked, or the subprocess entrypoint), then that
 * the package is the one the artifact announces (name, version, runtime).
 */
import type { AipManifest } from '../../../contracts/generated/index.js'
import { ModuleArtifactMismatchError } from '../../core/errors/index.js'
import { checkPackage, type PackageProblem } from '../aip/aip-package.js'
import { ANNOTATION, type ImageManifest } from '../oci/index.js'
import type { QuarantineReason } from './quarantine.js'

/** The outcome: the package's manifest, or why it fails (with the manifest when it could be read). */
export type PackageValidation =
  | { readonly ok: true; readonly manifest: AipManifest }
  | { readonly ok: false; readonly reason: QuarantineReason; readonly manifest?: AipManifest }

function describe(problem: PackageProblem): string {
  const where = problem.path ? `${problem.file} ${problem.path}` : problem.file
  return `${where}: ${problem.message}`
}

/** Validates the archive at `archiveFile`, pulled with `artifact` from `reference`. */
export async function validatePackage(
  archiveFile: string,
  artifact: ImageManifest,
  reference: string,
): Promise<PackageValidation> {
  const { manifest, problems } = await checkPackage(archiveFile)
  const withManifest = manifest ? { manifest } : {}
  const first = problems[0]
  if (first || !manifest) {
    const message = problems.length > 0 ? problems.map(describe).join('; ') : 'no manifest'
    const code = first?.code ?? 'AION_MODULE_PACKAGE_INVALID'
    return { ok: false, reason: { code, message }, ...withManifest }
  }
  const annotations = artifact.annotations ?? {}
  const announced: [string, string | undefined, string][] = [
    ['name', annotations[ANNOTATION.aipName], manifest.metadata.name],
    ['version', annotations[ANNOTATION.version], manifest.metadata.version],
    ['runtime', annotations[ANNOTATION.aipRuntime], manifest.runtime.type],
  ]
  for (const [field, said, actual] of announced) {
    if (said === undefined || said === actual) continue
    const error = new ModuleArtifactMismatchError({ reference, field, announced: said, actual })
    return { ok: false, reason: { code: error.code, message: error.message }, manifest }
  }
  return { ok: true, manifest }
}
