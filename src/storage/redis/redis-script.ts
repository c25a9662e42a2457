/**
 * A Lua script run by its SHA-1 (`EVALSHA`), sent whole (`EVAL`) only when
 * Redis answers NOSCRIPT — after a restart or `SCRIPT FLUSH` — which also
 * loads it again. Failures are translated here: what says Redis cannot
 * answer now becomes {@link StoreUnavailableError} (`AION_STORE_UNAVAILABLE`,
 * engine `redis`); a reply error of the script itself stays as it is.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { StoreUnavailableError } from '../../core/errors/index.js'

/** Reply errors that mean "not now" rather than "wrong". */
const transientReplies = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/

/** One script and its digest. */
export class RedisScript {
  readonly sha: string

  constructor(
    /** For error messages. */
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  /** Runs the script on `keys` with `args`. */
  async run(
    client: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      try {
        return await client.evalsha(this.sha, keys.length, ...keys, ...args)
      } catch (error) {
        if (!isReplyError(error) || !error.message.startsWith('NOSCRIPT')) throw error
        return await client.eval(this.source, keys.length, ...keys, ...args)
      }
    } catch (error) {
      throw translate(error)
    }
  }
}

function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError'
}

function translate(error: unknown): unknown {
  if (isReplyError(error) && !transientReplies.test(error.message)) return error
  return new StoreUnavailableError({ engine: 'redis' }, { cause: error })
}
