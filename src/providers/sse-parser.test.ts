import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SseParser, type SseEvent } from './sse-parser.js'

const bytes = (text: string) => new TextEncoder().encode(text)

/** Feeds `raw` cut at `cuts` (byte offsets) and collects every event. */
function parse(raw: Uint8Array, cuts: number[] = []): SseEvent[] {
  const parser = new SseParser()
  const events: SseEvent[] = []
  let start = 0
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    events.push(...parser.push(raw.subarray(start, cut)))
    start = cut
  }
  events.push(...parser.push(raw.subarray(start)))
  events.push(...parser.end())
  return events
}

describe('SseParser', () => {
  it('reads data events, skipping comments and unknown fields', () => {
    const raw = ': keep-alive\n\ndata: {"a":1}\n\nid: 7\nretry: 10\ndata: [DONE]\n\n'
    expect(parse(bytes(raw))).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: '[DONE]' },
    ])
  })

  it('joins multi-line data, keeps event names, and strips one leading space only', () => {
    const raw = 'event: error\ndata:  two\ndata:x\ndata\n\n'
    expect(parse(bytes(raw))).toEqual([{ event: 'error', data: ' two\nx\n' }])
  })

  it('dispatches a last event that is missing its blank line', () => {
    expect(parse(bytes('data: a\n\ndata: [DONE]\n'))).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: '[DONE]' },
    ])
  })

  it('handles a \\r\\n pair split between chunks as one line end', () => {
    const raw = bytes('data: a\r\n\r\ndata: b\r\n\r\n')
    expect(parse(raw, [8])).toEqual(parse(raw))
    expect(parse(raw)).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ])
  })

  it('gives the same events however the bytes are cut, for any line ending', () => {
    const payload = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\r\n]/.test(s))
    const stream = fc.record({
      datas: fc.array(payload, { minLength: 1, maxLength: 6 }),
      eol: fc.constantFrom('\n', '\r\n', '\r'),
      comments: fc.boolean(),
    })
    fc.assert(
      fc.property(stream, fc.array(fc.nat(400), { maxLength: 8 }), (s, cuts) => {
        const text = s.datas
          .map((d) => `${s.comments ? `: c${s.eol}` : ''}data: ${d}${s.eol}${s.eol}`)
          .join('')
        const raw = bytes(text)
        const events = parse(
          raw,
          cuts.map((c) => c % (raw.length + 1)),
        )
        expect(events.map((e) => e.data)).toEqual(s.datas)
      }),
      { numRuns: 500 },
    )
  })
})
