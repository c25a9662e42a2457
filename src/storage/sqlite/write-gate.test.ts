import { describe, expect, it } from 'vitest'
import { WriteGate } from './write-gate.js'

/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('the write gate', () => {
  it('runs transactions at once while open', async () => {
    const gate = new WriteGate()
    expect(await gate.run(() => Promise.resolve(7))).toBe(7)
    expect(gate.isClosed).toBe(false)
  })

  it('closes only once the running transactions have ended, and holds new ones until it opens', async () => {
    const gate = new WriteGate()
    const first = deferred()
    const log: string[] = []
    const running = gate.run(async () => {
      await first.promise
      log.push('first ended')
    })
    const closed = gate.close().then(() => log.push('closed'))
    const later = gate.run(() => {
      log.push('later ran')
      return Promise.resolve()
    })
    const last = gate.run(() => {
      log.push('last ran')
      return Promise.resolve()
    })
    await turn()
    expect(log).toEqual([])
    first.resolve()
    await running
    await closed
    await turn()
    expect(log).toEqual(['first ended', 'closed'])
    gate.open()
    await Promise.all([later, last])
    expect(log).toEqual(['first ended', 'closed', 'later ran', 'last ran'])
  })

  it('closes at once when nothing runs, and a failed transaction still counts as ended', async () => {
    const gate = new WriteGate()
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await gate.close()
    expect(gate.isClosed).toBe(true)
    gate.open()
    expect(gate.isClosed).toBe(false)
  })
})
