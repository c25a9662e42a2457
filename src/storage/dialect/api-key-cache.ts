/**
 * API keys by id, kept in memory between requests on SQLite, where the store
 * can tell cheaply whether anything changed: `PRAGMA data_version` moves when
 * another connection (another process: `aionctl keys revoke`) commits, and
 * this process's own writes to `api_keys` clear the cache as they are made.
 * So a revocation from anywhere takes effect on the next request, while a
 * request costs one pragma instead of a query for its key — and the requests
 * of one event-loop turn share one read of it (nothing else runs between
 * them; measured at 3–10 µs a read under load). PostgreSQL has no such cheap
 * signal, so it reads the key every time.
 */
import type { ApiKeyRecord } from '../ports/api-key-store.js'

/** Keys kept at most; past it the cache starts over (ids are few in practice). */
const MAX_KEYS = 10_000

export class ApiKeyCache {
  readonly #keys = new Map<string, ApiKeyRecord>()
  #dataVersion: number | undefined
  /** Bumped by every clear, so a read that raced a write does not fill the cache. */
  #generation = 0
  /** The pragma as read in this turn of the event loop; undefined once the turn is over. */
  #versionThisTurn: number | undefined

  constructor(private readonly dataVersion: () => number) {}

  #currentVersion(): number {
    if (this.#versionThisTurn === undefined) {
      this.#versionThisTurn = this.dataVersion()
      setImmediate(() => {
        this.#versionThisTurn = undefined
      })
    }
    return this.#versionThisTurn
  }

  /** The key with this id, from memory when nothing changed since it was read. */
  async find(
    keyId: string,
    load: () => Promise<ApiKeyRecord | undefined>,
  ): Promise<ApiKeyRecord | undefined> {
    const version = this.#currentVersion()
    if (version !== this.#dataVersion) {
      this.clear()
      this.#dataVersion = version
    }
    const cached = this.#keys.get(keyId)
    if (cached !== undefined) return cached
    const generation = this.#generation
    const record = await load()
    if (record !== undefined && generation === this.#generation) {
      if (this.#keys.size >= MAX_KEYS) this.#keys.clear()
      // Frozen: one object answers many requests.
      this.#keys.set(keyId, Object.freeze({ ...record, scopes: Object.freeze([...record.scopes]) }))
    }
    return record
  }

  /** Forgets every key (this process wrote to `api_keys`). */
  clear(): void {
    this.#keys.clear()
    this.#generation++
  }
}
