import { describe, expect, it } from 'vitest'
import { childTraceparent } from './traceparent.js'

describe('childTraceparent', () => {
  it('continues the trace with a fresh span id each call', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const one = childTraceparent(traceId)
    const two = childTraceparent(traceId)
    expect(one).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/)
    expect(two).not.toBe(one)
  })

  it.each(['', '0'.repeat(32), 'XYZ', '4BF92F3577B34DA6A3CE929D0E0E4736'])(
    'gives nothing for the invalid trace id %j',
    (traceId) => expect(childTraceparent(traceId)).toBeUndefined(),
  )
})
