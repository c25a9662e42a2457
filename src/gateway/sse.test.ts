import { describe, expect, it } from 'vitest'
import { lastEventId, sseFrame } from './sse.js'

describe('sseFrame', () => {
  it('writes id, event name and JSON data', () => {
    expect(sseFrame({ id: 3, name: 'token', data: { text: 'hi' } })).toBe(
      'id: 3\nevent: token\ndata: {"text":"hi"}\n\n',
    )
  })

  it('leaves the id out for an event outside the sequence', () => {
    expect(sseFrame({ name: 'error', data: { code: 'X' } })).toBe(
      'event: error\ndata: {"code":"X"}\n\n',
    )
  })
})

describe('lastEventId', () => {
  it('reads the header, then the query, and refuses anything but digits', () => {
    expect(lastEventId('7', {})).toBe(7)
    expect(lastEventId(undefined, { last_event_id: '12' })).toBe(12)
    expect(lastEventId('7; drop', {})).toBe(0)
    expect(lastEventId(undefined, undefined)).toBe(0)
  })
})
