/**
 * `Prefer: wait=N` (RFC 7240): how long a client is willing to wait for the
 * final result of a submission, capped at {@link maxPreferWaitSeconds}.
 */

export const maxPreferWaitSeconds = 60

/** Seconds to wait, or undefined when the client did not ask (or asked nonsense). */
export function preferWaitSeconds(header: string | string[] | undefined): number | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header]
  for (const value of values) {
    for (const preference of value.split(',')) {
      const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*$/i.exec(preference.split(';')[0] ?? '')
      if (match) return Math.min(Number(match[1]), maxPreferWaitSeconds)
    }
  }
  return undefined
}
