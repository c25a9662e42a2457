/**
 * Package installs through the control plane (the admin API): runs the
 * installer the server wired (the distribution room's), writes the audit
 * entry (`module.install`: success, or denied with the quarantine's code),
 * reloads the executor so the running platform serves the new package at
 * once, and warns about `modules.yml` entries that still do not resolve. A
 * quarantined package answers AION_MODULE_QUARANTINED; registry outages pass
 * through as the retryable AION_OCI_REGISTRY_* errors, with nothing written.
 */
import type { Logger } from 'pino'
import type {
  Actor,
  InstalledModule,
  ModuleInstallResult,
  ModulePackage,
} from '../../core/domain/index.js'
import { ModuleInstallUnavailableError } from '../../core/errors/index.js'
import type { RegistrySet } from '../../core/registry/index.js'
import type { ModuleDescriptor } from '../../runtime/module-executor.js'
import { DEFAULT_TENANT_ID, type ModuleRecord, type Store } from '../../storage/index.js'
import { writeAudit } from '../lifecycle/audit-writes.js'

/** The installer as the control plane uses it (see distribution's `installPort`). */
export interface ModuleInstaller {
  install(reference: string): Promise<ModuleInstallResult>
  /** Warns about `modules.yml` entries no loaded or installed package serves. */
  warnUnresolved(
    set: RegistrySet,
    records: readonly ModuleRecord[],
    loaded: ReadonlyMap<string, { readonly version: string }>,
    logger: Logger,
  ): void
}

/** What installs are built from (the server's composition root wires them). */
export interface ModuleInstallsOptions {
  readonly store: Store
  /** The installer; without it installs answer AION_MODULE_INSTALL_UNAVAILABLE. */
  readonly installer?: ModuleInstaller
  /** The executor to reload after an install; without it the package serves from the next start. */
  readonly executor?: {
    /** Loads the packages anew; the report (added, removed, changed) is logged. */
    reload(): Promise<object>
    modules(): ReadonlyMap<string, ModuleDescriptor>
  }
  /** The registry set in force, for the `modules.yml` warnings after an install. */
  readonly registries?: () => RegistrySet
  readonly logger: Logger
}

function toPackage(record: ModuleRecord): ModulePackage {
  return {
    name: record.name,
    version: record.version,
    digest: record.digest,
    runtime: record.runtime,
    status: record.status,
    signerKeyId: record.signerKeyId,
    sbomRef: record.sbomRef,
    reason: record.reason,
    updatedAt: record.updatedAt,
  }
}

/** See the module comment. */
export class ModuleInstalls {
  constructor(private readonly options: ModuleInstallsOptions) {}

  async install(actor: Actor, reference: string): Promise<InstalledModule> {
    const { installer, store, logger } = this.options
    if (!installer) throw new ModuleInstallUnavailableError({})
    const result = await installer.install(reference)
    const at = new Date().toISOString()
    await store.transaction((tx) => writeAudit(tx, { actor, ...result.audit }, at))
    if ('refused' in result) throw result.refused
    await this.#reload(installer)
    const { name, version } = result.installed
    logger.info({ module: name, version }, 'module installed')
    return result.installed
  }

  /** Installed and quarantined packages (packages serve the whole platform: one list). */
  async list(_tenantId: string): Promise<ModulePackage[]> {
    return (await this.options.store.modules.list(DEFAULT_TENANT_ID)).map(toPackage)
  }

  /** Loads the new package; a failed reload is logged, the install itself stands. */
  async #reload(installer: ModuleInstaller): Promise<void> {
    const { executor, registries, store, logger } = this.options
    if (!executor) return
    try {
      const report = await executor.reload()
      logger.info(report, 'module executor reloaded')
      if (registries) {
        const records = await store.modules.list(DEFAULT_TENANT_ID)
        installer.warnUnresolved(registries(), records, executor.modules(), logger)
      }
    } catch (error) {
      logger.error({ err: error }, 'reloading the module executor failed; the next start loads it')
    }
  }
}
