/**
 * The active registry set and its versions. The set is swapped atomically
 * (one reference): a task captures the reference at submit and finishes under
 * it, whatever happens to the active set meanwhile. A bad set is refused with
 * every issue listed, and the old one keeps serving. Registries are
 * platform-wide while OMERTAOS is single-tenant: versions live under the
 * default tenant; audit records carry the actor's tenant.
 */
import { RegistryInvalidError, RegistryVersionNotFoundError } from '../../core/errors/index.js'
import {
  loadRegistrySet,
  parseRegistrySources,
  registryFileNames,
  type RegistryFileName,
  type RegistryLoadResult,
  type RegistrySources,
} from '../../core/registry/index.js'
import { DEFAULT_TENANT_ID, type Store } from '../../storage/index.js'
import type { Actor, PolicyVersion } from '../../core/domain/index.js'
import type { ActiveRegistries } from '../execution/task-context.js'
import { writeAudit } from '../lifecycle/audit-writes.js'

const platformTenant = DEFAULT_TENANT_ID

/** `intents.yaml` is read as `intents.yml` (and reported under its own name). */
function toRegistrySources(files: Readonly<Record<string, string>>): RegistryLoadResult {
  const sources: RegistrySources = {}
  const fileLabels: Partial<Record<RegistryFileName, string>> = {}
  for (const [file, text] of Object.entries(files)) {
    const canonical = file.replace(/\.yaml$/, '.yml') as RegistryFileName
    if (!registryFileNames.includes(canonical)) continue
    sources[canonical] = text
    if (canonical !== file) fileLabels[canonical] = file
  }
  return parseRegistrySources(sources, { fileLabels })
}

const actorName = (actor: Actor) => `${actor.kind}:${actor.id}`

/** Holds the active set; reload, rollback and the version list. */
export class PolicyManager {
  readonly #store: Store
  readonly #configDir: string
  #active: ActiveRegistries
  // Reloads and rollbacks run one at a time, so two cannot interleave their swaps.
  #chain: Promise<unknown> = Promise.resolve()

  constructor(store: Store, configDir: string, initial: ActiveRegistries) {
    this.#store = store
    this.#configDir = configDir
    this.#active = initial
  }

  /** The active set and its version; capture it once per task. */
  get active(): ActiveRegistries {
    return this.#active
  }

  reload(actor: Actor, sources?: Readonly<Record<string, string>>): Promise<PolicyVersion> {
    return this.#serial(() => this.#reload(actor, sources))
  }

  rollback(actor: Actor, version: number): Promise<PolicyVersion> {
    return this.#serial(() => this.#rollback(actor, version))
  }

  async versions(): Promise<PolicyVersion[]> {
    const active = this.#active.version
    const list = await this.#store.registries.list(platformTenant)
    return list.map((v) => ({
      version: v.version,
      contentHash: v.contentHash,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      active: v.version === active,
    }))
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn, fn)
    this.#chain = next.catch(() => undefined)
    return next
  }

  async #reload(actor: Actor, files?: Readonly<Record<string, string>>): Promise<PolicyVersion> {
    const result = files ? toRegistrySources(files) : await loadRegistrySet(this.#configDir)
    const at = new Date().toISOString()
    if (!result.ok) {
      await this.#store.transaction((tx) =>
        writeAudit(
          tx,
          {
            actor,
            action: 'policy.reload',
            target: 'registries',
            outcome: 'failure',
            details: { issues: result.issues.length, first: result.issues[0]?.code ?? null },
          },
          at,
        ),
      )
      throw new RegistryInvalidError({ issues: result.issues })
    }
    const set = result.set
    const current = this.#active
    const reused = current.set.contentHash === set.contentHash
    const stored = await this.#store.transaction(async (tx) => {
      const version = reused
        ? { version: current.version, contentHash: set.contentHash, createdAt: at }
        : await tx.registries.append({
            tenantId: platformTenant,
            contentHash: set.contentHash,
            sources: set.sources,
            createdBy: actorName(actor),
          })
      await tx.registries.setActive(version.version, platformTenant)
      await writeAudit(
        tx,
        {
          actor,
          action: 'policy.reload',
          target: `registries:v${version.version}`,
          outcome: 'success',
          details: { version: version.version, content_hash: set.contentHash, reused },
        },
        at,
      )
      return version
    })
    this.#active = { set, version: stored.version }
    return this.#describe(stored.version)
  }

  async #rollback(actor: Actor, version: number): Promise<PolicyVersion> {
    const stored = await this.#store.registries.get(version, platformTenant)
    if (!stored) throw new RegistryVersionNotFoundError({ tenantId: platformTenant, version })
    const result = toRegistrySources(stored.sources)
    if (!result.ok) throw new RegistryInvalidError({ issues: result.issues })
    const at = new Date().toISOString()
    const from = this.#active.version
    await this.#store.transaction(async (tx) => {
      await tx.registries.setActive(version, platformTenant)
      await writeAudit(
        tx,
        {
          actor,
          action: 'policy.rollback',
          target: `registries:v${version}`,
          outcome: 'success',
          details: { from_version: from, version, content_hash: stored.contentHash },
        },
        at,
      )
    })
    this.#active = { set: result.set, version }
    return this.#describe(version)
  }

  async #describe(version: number): Promise<PolicyVersion> {
    const found = (await this.versions()).find((v) => v.version === version)
    if (!found) throw new RegistryVersionNotFoundError({ tenantId: platformTenant, version })
    return found
  }
}
