import Sqlite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { withStatementCache } from './statement-cache.js'

describe('withStatementCache', () => {
  it('prepares each SQL text once and reuses the statement', () => {
    const database = new Sqlite(':memory:')
    const cached = withStatementCache(database)
    const first = cached.prepare('select 1 as one')
    expect(cached.prepare('select 1 as one')).toBe(first)
    expect(cached.prepare('select 2 as two')).not.toBe(first)
    cached.close()
  })

  it('drops the oldest statement past its bound', () => {
    const database = new Sqlite(':memory:')
    const cached = withStatementCache(database, 2)
    const a = cached.prepare('select 1')
    cached.prepare('select 2')
    cached.prepare('select 3')
    expect(cached.prepare('select 1')).not.toBe(a)
    cached.close()
  })
})
