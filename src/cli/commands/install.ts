/**
 * `aionctl install <ref>`: installs an AIP package from an OCI registry on
 * this host — pull with every digest verified, the cosign signature checked
 * against AION_TRUSTED_KEYS (unsigned only with AION_ALLOW_UNSIGNED), every
 * package check, the archive kept in the object store under AION_DATA_DIR,
 * the package extracted into AION_MODULES_DIR and registered in `modules`.
 * A package that fails is quarantined (exit 1, AION_MODULE_QUARANTINED); an
 * outage exits 1 with a retryable code and nothing written. With `--server`
 * the running platform installs it instead (POST /v1/admin/modules/install)
 * and serves it at once.
 */
import { Command } from 'commander'
import {
  installAudit,
  type InstallOutcome,
  PackageInstaller,
  quarantineError,
} from '../../distribution/install/index.js'
import { openObjectStore, type Store } from '../../storage/index.js'
import { withStore } from './cli-store.js'
import { installOnServer } from './install-server.js'

/** The operator on this host, as audit entries name them (an Actor of kind `system`). */
const cliActor = { kind: 'system', id: 'aionctl' } as const

interface InstallOptions {
  readonly json?: boolean
  readonly server?: boolean
  readonly url?: string
  readonly key?: string
}

/** Writes the audit row and its `aion.audit.activity` event, as the control plane does. */
async function writeInstallAudit(store: Store, outcome: InstallOutcome): Promise<void> {
  const entry = installAudit(outcome)
  const at = new Date().toISOString()
  const tenantId = 'default'
  const actor = { kind: cliActor.kind, id: cliActor.id }
  await store.transaction(async (tx) => {
    await tx.audit.append({ tenantId, actor: `${actor.kind}:${actor.id}`, ...entry, at })
    await tx.outbox.enqueue({
      tenantId,
      topic: 'aion.audit.activity',
      key: entry.target,
      payload: { actor, ...entry, at },
      createdAt: at,
    })
  })
}

/** Installs on this host; returns the outcome after writing its audit entry. */
async function installHere(reference: string): Promise<InstallOutcome> {
  return withStore(async (store, settings) => {
    // The store the server uses (AION_S3_* or the data directory), so both see the same packages.
    const objects = await openObjectStore({ dataDir: settings.dataDir, s3: settings.s3 })
    try {
      const installer = new PackageInstaller({
        modules: store.modules,
        objects: objects.objects,
        packagesDir: settings.modules.packagesDir,
        distribution: settings.distribution,
        logger: {
          info: () => undefined,
          warn: (_fields, message) => process.stderr.write(`aionctl: warning: ${message}\n`),
        },
      })
      const outcome = await installer.install(reference)
      await writeInstallAudit(store, outcome)
      return outcome
    } finally {
      await objects.close()
    }
  })
}

function printOutcome(outcome: InstallOutcome, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`)
  } else if (outcome.status === 'installed') {
    const lines = [
      `installed ${outcome.name} ${outcome.version} ${outcome.digest}`,
      `  signer  ${outcome.signerKeyId ?? 'none (UNSIGNED, AION_ALLOW_UNSIGNED)'}`,
      `  sbom    ${outcome.sbomRef ?? 'none'}`,
      `  into    ${outcome.dir}`,
      '  (a running platform loads it at its next start; --server installs into a running one)',
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  }
}

export function registryInstallCommand(): Command {
  return new Command('install')
    .description(
      'install an AIP package from an OCI registry: digests, cosign signature (AION_TRUSTED_KEYS) and every package check; a failure quarantines it (see aionctl modules quarantine)',
    )
    .argument('<ref>', 'host[:port]/repository:tag or …@sha256:<hex>')
    .option('--server', 'install through the running platform (admin API), which serves it at once')
    .option('--url <url>', 'with --server: platform URL (default AION_URL)')
    .option('--key <key>', 'with --server: operator API key (default AION_API_KEY)')
    .option('--json', 'print the outcome as JSON for machines')
    .action(async function install(reference: string, options: InstallOptions) {
      if (options.server) {
        await installOnServer(reference, options)
        return
      }
      const outcome = await installHere(reference)
      printOutcome(outcome, Boolean(options.json))
      if (outcome.status === 'quarantined') {
        if (options.json) {
          process.exitCode = 1
          return
        }
        throw quarantineError(outcome)
      }
    })
}
