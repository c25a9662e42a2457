/**
 * The audit entry of an install, without its actor: the same for the admin
 * API (the control plane adds the caller) and `aionctl install` (the operator
 * on the host). Action `module.install`; outcome `success` for an installed
 * package, `denied` for a quarantined one, with the reason's code.
 */
import type { AuditOutcome, JsonValue } from '../../core/domain/index.js'
import type { InstallOutcome } from './install-types.js'

/** Action, target, outcome and details of an install's audit entry. */
export interface InstallAudit {
  readonly action: 'module.install'
  /** `<name>@<version>`. */
  readonly target: string
  readonly outcome: AuditOutcome
  readonly details: { readonly [key: string]: JsonValue }
}

/** The audit entry of `outcome`. */
export function installAudit(outcome: InstallOutcome): InstallAudit {
  const common = {
    reference: outcome.reference,
    digest: outcome.digest,
    runtime: outcome.runtime,
    status: outcome.status,
  }
  const details =
    outcome.status === 'installed'
      ? {
          ...common,
          signer_key_id: outcome.signerKeyId,
          sbom_ref: outcome.sbomRef,
          unsigned: outcome.unsigned,
        }
      : {
          ...common,
          reason_code: outcome.reasonCode,
          reason: outcome.reason,
          object_keys: [...outcome.objectKeys],
        }
  return {
    action: 'module.install',
    target: `${outcome.name}@${outcome.version}`,
    outcome: outcome.status === 'installed' ? 'success' : 'denied',
    details,
  }
}
