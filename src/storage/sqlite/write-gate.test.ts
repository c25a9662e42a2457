import { describe, expect, it } from 'vitest'
import { WriteGate } from './write-gate.js'

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('the write gate', () => {
  it('lets transactions in at once while open', async () => {
    const gate = new WriteGate()
    await gate.enter()
    gate.leave()
    expect(gate.isClosed).toBe(false)
  })

  it('closes only once the running transactions have left, and holds new ones until it opens', async () => {
    const gate = new WriteGate()
    const log: string[] = []
    await gate.enter()
    const closed = gate.close().then(() => log.push('closed'))
    const later = gate.enter().then(() => log.push('later entered'))
    const last = gate.enter().then(() => log.push('last entered'))
    await turn()
    expect(log).toEqual([])
    gate.leave()
    await closed
    await turn()
    expect(log).toEqual(['closed'])
    gate.open()
    await Promise.all([later, last])
    expect(log).toEqual(['closed', 'later entered', 'last entered'])
    gate.leave()
    gate.leave()
    await gate.close()
    expect(gate.isClosed).toBe(true)
  })

  it('closes at once when nothing runs, and opens again', async () => {
    const gate = new WriteGate()
    await gate.close()
    expect(gate.isClosed).toBe(true)
    gate.open()
    expect(gate.isClosed).toBe(false)
    await gate.enter()
    gate.leave()
  })
})
