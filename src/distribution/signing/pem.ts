/**
 * PEM blocks as Go's `encoding/pem` writes them (base64 in 64-character
 * lines), and a strict reader that names the label it found.
 */

/** One PEM block: its label and the bytes it holds. */
export interface PemBlock {
  readonly label: string
  readonly bytes: Buffer
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----/

/** The first PEM block of `text`, or `undefined` when there is none. */
export function decodePem(text: string): PemBlock | undefined {
  const match = BLOCK.exec(text)
  if (!match) return undefined
  const body = (match[2] ?? '').replace(/\s+/g, '')
  if (body.length % 4 !== 0) return undefined
  return { label: match[1] ?? '', bytes: Buffer.from(body, 'base64') }
}

/** A PEM block with a trailing newline, as `pem.EncodeToMemory` writes it. */
export function encodePem(label: string, bytes: Uint8Array): string {
  const body = Buffer.from(bytes).toString('base64')
  const lines = body.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}
