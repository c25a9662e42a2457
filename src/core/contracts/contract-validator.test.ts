import { describe, expect, it } from 'vitest'
import { AionError } from '../errors/index.js'
import { assertContract, checkContract, contractValidator } from './contract-validator.js'

const request = { intent: 'summarize', input: { text: 'hello' } }

describe('contract validator', () => {
  it('accepts a conforming payload and returns it typed', () => {
    expect(checkContract('task-request', request)).toEqual([])
    expect(assertContract<typeof request>('task-request', request)).toBe(request)
  })

  it('points required and unknown-key violations at the property itself', () => {
    const violations = checkContract('task-request', { input: {}, budget: 1 })
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/intent', keyword: 'required' }),
        expect.objectContaining({ path: '/budget', keyword: 'additionalProperties' }),
      ]),
    )
  })

  it('reports the failing then-keyword, not a bare `if`', () => {
    const violations = checkContract('routing-decision', {
      route: 'local',
      engine: { kind: 'module', name: 'summarize_text' },
      tier: 'tier0',
      reason_codes: ['LOCAL_PREFERRED'],
      estimates: { input_tokens: 0, output_tokens: 0, cost_usd: 0, latency_ms: 1 },
      fallbacks: [],
      decided_by: 'rules',
      registry_version: 1,
    })
    expect(violations).toEqual([
      {
        path: '/engine/version',
        keyword: 'required',
        message: "must have required property 'version'",
      },
    ])
  })

  it('checks stream events by their tag only against the matching variant', () => {
    const violations = checkContract('stream-event', {
      event: 'token',
      task_id: 'tsk_01J9ZQ4X5N8M2R7T3V6W9Y0ABC',
      seq: 1,
      text: 7,
    })
    expect(violations).toEqual([{ path: '/text', keyword: 'type', message: 'must be string' }])
  })

  it('throws AION_CONTRACT_VIOLATION listing every violation', () => {
    let caught: unknown
    try {
      assertContract('task-request', { intent: 'Bad Name', input: [] })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(AionError)
    expect((caught as AionError).code).toBe('AION_CONTRACT_VIOLATION')
    expect((caught as AionError).message).toContain('/intent')
    expect((caught as AionError).message).toContain('/input')
  })

  it('refuses an unknown schema name', () => {
    expect(() => contractValidator('no-such-contract')).toThrow(TypeError)
  })
})
