/** The PostgreSQL that tests run against, and a schema of their own in it. */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { EngineProbe } from './engines.js'

const candidates = (): string[] => {
  const explicit = process.env.AION_TEST_DATABASE_URL
  return explicit
    ? [explicit]
    : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://127.0.0.1:5432/test']
}

const redact = (url: string) => url.replace(/:[^:@/]*@/, ':***@')

/** AION_TEST_DATABASE_URL, else user postgres, else the OS user, on database `test`. */
export async function probePostgres(): Promise<EngineProbe<string>> {
  const reasons: string[] = []
  for (const url of candidates()) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
    try {
      await client.connect()
      await client.query('select 1')
      return { ok: true, value: url }
    } catch (error) {
      const detail = error instanceof Error ? error.message || error.name : String(error)
      reasons.push(`${redact(url)}: ${detail}`)
    } finally {
      await client.end().catch(() => undefined)
    }
  }
  return {
    ok: false,
    reason: `PostgreSQL unreachable (${reasons.join('; ')}); set AION_TEST_DATABASE_URL`,
  }
}

/** A schema name no concurrent run will pick. */
export function freshSchemaName(prefix = 'aion_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`drop schema if exists "${schema}" cascade`)
  } finally {
    await client.end()
  }
}
