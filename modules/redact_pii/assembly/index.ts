/**
 * redact_pii: reads `{text}` as JSON on stdin and writes `{text, spans}` as JSON on
 * stdout: the text with e-mail addresses, IBANs, card numbers, phone numbers and
 * listed names replaced by `[EMAIL]`, `[IBAN]`, `[CARD]`, `[PHONE]` and `[NAME]`,
 * and each replaced range of the input in UTF-16 code units. On a bad request it
 * writes `{error: {code, message}}` and exits with status 1.
 */
import { findCards } from './card'
import { findEmails } from './email'
import { findIbans } from './iban'
import { parseTextRequest, quoteJson } from '../../../modules-lib/assembly/json'
import { fail, readStdin } from '../../../modules-lib/assembly/stdio'
import { loadNameList } from './name-source'
import { findNames } from './names'
import { findPhones } from './phone'

// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- AssemblyScript has no `import type`
import { Claims, Span, sorted } from './spans'

function spanJson(span: Span): string {
  return (
    '{"start":' +
    span.start.toString() +
    ',"end":' +
    span.end.toString() +
    ',"type":' +
    quoteJson(span.type) +
    ',"replacement":' +
    quoteJson(span.replacement) +
    '}'
  )
}

function main(): void {
  const request = parseTextRequest(readStdin())
  if (request.error.length > 0) {
    fail('INVALID_REQUEST', request.error)
    return
  }
  const names = loadNameList()
  if (names.error.length > 0) {
    fail('NAMES_UNAVAILABLE', names.error)
    return
  }
  const text = request.text
  const claims = new Claims(text.length)
  // Most specific first: an e-mail address holds digits a phone number could take.
  findEmails(text, claims)
  findIbans(text, claims)
  findCards(text, claims)
  findPhones(text, claims)
  findNames(text, names.list, claims)
  const spans = sorted(claims.spans)
  const redacted = new Array<string>()
  const json = new Array<string>(spans.length)
  let copied = 0
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k]
    redacted.push(text.substring(copied, span.start))
    redacted.push(span.replacement)
    copied = span.end
    json[k] = spanJson(span)
  }
  redacted.push(text.substring(copied))
  process.stdout.write(
    '{"text":' + quoteJson(redacted.join('')) + ',"spans":[' + json.join(',') + ']}',
  )
}

main()
