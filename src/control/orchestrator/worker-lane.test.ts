import { describe, expect, it } from 'vitest'
import { WorkerLane } from './worker-lane.js'

describe('WorkerLane', () => {
  it('runs at most `limit` at once, in arrival order, and drops aborted waiters', async () => {
    const lane = new WorkerLane(1)
    const order: string[] = []
    await lane.acquire(new AbortController().signal)
    const aborted = new AbortController()
    const second = lane.acquire(aborted.signal).then(() => order.push('aborted one ran'))
    const third = lane.acquire(new AbortController().signal).then(() => order.push('third'))
    aborted.abort(new Error('gone'))
    await expect(second).rejects.toThrow('gone')
    expect(lane.active).toBe(1)
    lane.release()
    await third
    expect(order).toEqual(['third'])
    lane.release()
    expect(lane.active).toBe(0)
  })
})
