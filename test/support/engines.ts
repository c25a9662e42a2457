/**
 * Suites that need a real engine (PostgreSQL, Redis, Kafka, …) declare it
 * here. Where the engine is unreachable they skip with a printed reason —
 * except in CI (`CI` set), where they fail: a CI run never passes by skipping.
 */
import { describe, it } from 'vitest'

export type EngineProbe<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string }

export function describeWithEngine<T>(
  name: string,
  probe: EngineProbe<T>,
  body: (value: T) => void,
): void {
  if (probe.ok) {
    describe(name, () => body(probe.value))
  } else if (process.env.CI) {
    describe(name, () => {
      it(`needs ${name} in CI`, () => {
        throw new Error(`${name} is required in CI but unreachable: ${probe.reason}`)
      })
    })
  } else {
    console.warn(`${name} skipped: ${probe.reason}`)
    describe.skip(`${name} (skipped: ${probe.reason})`, () => {
      it('runs against the engine', () => undefined)
    })
  }
}
