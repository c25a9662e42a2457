/**
 * The package installer as the control plane's admin installs take it (the
 * server wires it): an install's result with its audit entry, and the
 * `modules.yml` warnings to give after a reload. The control plane knows
 * nothing of OCI, signatures or quarantine.
 */
import type { ModuleInstallResult } from '../../core/domain/index.js'
import { installAudit } from './install-audit.js'
import type { InstallOutcome } from './install-types.js'
import { warnUnresolvedModules } from './module-ref-warnings.js'
import { quarantineError } from './quarantine.js'

/** See the module comment. */
export function installPort(installer: { install(reference: string): Promise<InstallOutcome> }) {
  return {
    async install(reference: string): Promise<ModuleInstallResult> {
      const outcome = await installer.install(reference)
      const audit = installAudit(outcome)
      if (outcome.status === 'quarantined') return { audit, refused: quarantineError(outcome) }
      const { name, version, digest, runtime, signerKeyId, sbomRef } = outcome
      const installed = { name, version, digest, runtime, signerKeyId, sbomRef }
      return { audit, installed: { ...installed, status: 'installed' } }
    },
    warnUnresolved: warnUnresolvedModules,
  }
}
