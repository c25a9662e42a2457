/**
 * IBANs: two letters, two check digits and up to 30 letters or digits, written
 * compact or in groups separated by single spaces. A candidate is redacted only
 * when its ISO 13616 mod-97 checksum holds and, for a country in the registry
 * below, its length is that country's.
 */
import { at, isDigit, isUpper, isWordChar } from './chars'
// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- AssemblyScript has no `import type`
import { Claims } from './spans'

const LENGTHS = new Map<string, i32>()

function fillLengths(): void {
  // The SWIFT IBAN registry's lengths per country.
  const table =
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 ' +
    'EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IS26 ' +
    'IT27 JO30 KW30 KZ20 LB28 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 ' +
    'NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SE24 SI19 SK24 SM27 TN24 TR26 UA29 VG24 XK20'
  const entries = table.split(' ')
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]
    LENGTHS.set(entry.substring(0, 2), I32.parseInt(entry.substring(2)))
  }
}
fillLengths()

const MIN_LENGTH = 15
const MAX_LENGTH = 34

function isIbanChar(c: i32): bool {
  return isUpper(c) || isDigit(c)
}

/** ISO 7064 mod 97-10 over the rearranged IBAN (country and check digits moved to the end). */
export function ibanChecksumValid(compact: string): bool {
  const n = compact.length
  let remainder = 0
  for (let k = 0; k < n; k++) {
    const c = compact.charCodeAt((k + 4) % n)
    if (isDigit(c)) remainder = (remainder * 10 + (c - 0x30)) % 97
    else remainder = (remainder * 100 + (c - 0x41 + 10)) % 97
  }
  return remainder == 1
}

/** Code-unit positions of the IBAN characters starting at `start`, single spaces skipped. */
function collect(text: string, start: i32): i32[] {
  const positions = new Array<i32>()
  let i = start
  while (positions.length < MAX_LENGTH) {
    const c = at(text, i)
    if (isIbanChar(c)) {
      positions.push(i)
      i++
    } else if (c == 0x20 && isIbanChar(at(text, i + 1)) && positions.length >= 4) {
      i++
    } else {
      break
    }
  }
  return positions
}

function compactOf(text: string, positions: i32[], length: i32): string {
  const parts = new Array<string>(length)
  for (let k = 0; k < length; k++) parts[k] = text.charAt(positions[k])
  return parts.join('')
}

/** The IBAN's length in characters at `positions`, or 0 when none fits. */
function matchLength(text: string, positions: i32[]): i32 {
  const country = compactOf(text, positions, 2)
  const known = LENGTHS.has(country)
  const longest = known ? LENGTHS.get(country) : positions.length
  const shortest = known ? longest : MIN_LENGTH
  for (let length = min(longest, positions.length); length >= shortest; length--) {
    // The IBAN must end at a word boundary: `DE…00X` is not an IBAN followed by X.
    if (isWordChar(at(text, positions[length - 1] + 1))) continue
    if (known && length != longest) break
    if (ibanChecksumValid(compactOf(text, positions, length))) return length
  }
  return 0
}

export function findIbans(text: string, claims: Claims): void {
  const n = text.length
  for (let i = 0; i + 4 <= n; i++) {
    if (!isUpper(at(text, i)) || !isUpper(at(text, i + 1))) continue
    if (!isDigit(at(text, i + 2)) || !isDigit(at(text, i + 3))) continue
    if (isWordChar(at(text, i - 1))) continue
    const positions = collect(text, i)
    if (positions.length < MIN_LENGTH) continue
    const length = matchLength(text, positions)
    if (length == 0) continue
    const end = positions[length - 1] + 1
    if (claims.claim(i, end, 'iban')) i = end - 1
  }
}
