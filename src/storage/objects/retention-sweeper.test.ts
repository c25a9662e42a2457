import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LocalDirectoryObjectStore } from '../local/local-directory-object-store.js'
import { startRetentionSweeper, sweepObjects, type SweepOutcome } from './retention-sweeper.js'

const root = mkdtempSync(join(tmpdir(), 'aion-sweep-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let stores = 0
const fresh = () => new LocalDirectoryObjectStore(join(root, String(++stores)))

const DAY_MS = 86_400_000
const later = (ms: number) => new Date(Date.now() + ms)

describe('sweepObjects', () => {
  it('deletes only what lies under a rule prefix and is older than its retention', async () => {
    const store = fresh()
    for (const key of ['quarantine/a/reason.json', 'quarantine/b/reason.json', 'packages/p']) {
      await store.put(key, Buffer.from(key))
    }
    const rules = [{ prefix: 'quarantine/', maxAgeMs: 30 * DAY_MS }]
    expect(await sweepObjects(store, rules, later(29 * DAY_MS))).toEqual({
      deleted: { 'quarantine/': [] },
    })
    expect(await sweepObjects(store, rules, later(31 * DAY_MS))).toEqual({
      deleted: { 'quarantine/': ['quarantine/a/reason.json', 'quarantine/b/reason.json'] },
    })
    expect((await store.list('')).map((info) => info.key)).toEqual(['packages/p'])
  })

  it('lets the shorter of two overlapping rules win', async () => {
    const store = fresh()
    await store.put('assets/raw/x', Buffer.from('x'))
    await store.put('assets/kept', Buffer.from('k'))
    const rules = [
      { prefix: 'assets/', maxAgeMs: 90 * DAY_MS },
      { prefix: 'assets/raw/', maxAgeMs: 7 * DAY_MS },
    ]
    const outcome = await sweepObjects(store, rules, later(8 * DAY_MS))
    expect(outcome.deleted).toEqual({ 'assets/raw/': ['assets/raw/x'], 'assets/': [] })
    expect(await store.exists('assets/kept')).toBe(true)
  })

  it('refuses a prefix no key could start with', async () => {
    await expect(sweepObjects(fresh(), [{ prefix: '../', maxAgeMs: 1 }])).rejects.toMatchObject({
      code: 'AION_OBJECT_KEY_INVALID',
    })
  })
})

describe('startRetentionSweeper', () => {
  it('sweeps at once, reports each sweep, and stops', async () => {
    const store = fresh()
    await store.put('tmp/old', Buffer.from('x'))
    // Retention 0: whatever was stored before the sweep is expired.
    await new Promise((resolve) => setTimeout(resolve, 5))
    const outcomes: SweepOutcome[] = []
    const sweeper = startRetentionSweeper({
      store,
      rules: [{ prefix: 'tmp/', maxAgeMs: 0 }],
      intervalMs: 10,
      onSweep: (outcome) => outcome && outcomes.push(outcome),
    })
    await expect.poll(() => outcomes.length).toBeGreaterThanOrEqual(2)
    await sweeper.stop()
    const count = outcomes.length
    expect(outcomes[0]?.deleted).toEqual({ 'tmp/': ['tmp/old'] })
    expect(await store.exists('tmp/old')).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(outcomes.length).toBe(count)
  })
})
