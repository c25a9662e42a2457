/**
 * `aionctl keygen`: a cosign-compatible key pair, written as `cosign
 * generate-key-pair` writes it — `<prefix>.key` (ECDSA P-256, PEM `ENCRYPTED
 * SIGSTORE PRIVATE KEY`, mode 0600) and `<prefix>.pub` (PEM `PUBLIC KEY`).
 * The password comes from COSIGN_PASSWORD (as for cosign; empty is allowed)
 * or, on a terminal, from a prompt that does not echo.
 */
import { open, rm } from 'node:fs/promises'
import { Command } from 'commander'
import {
  SigningKeyExistsError,
  SigningPasswordMismatchError,
  SigningPasswordMissingError,
} from '../../core/errors/index.js'
import {
  generateCosignKeyPair,
  keyIdOf,
  readCosignPublicKey,
} from '../../distribution/signing/index.js'

interface KeygenOptions {
  readonly outputKeyPrefix: string
  readonly force?: boolean
}

export function keygenCommand(): Command {
  return new Command('keygen')
    .description(
      'make a cosign-compatible key pair: <prefix>.key (encrypted with COSIGN_PASSWORD or a prompted password) and <prefix>.pub',
    )
    .option('--output-key-prefix <prefix>', 'path prefix of the two key files', 'cosign')
    .option('--force', 'replace key files that already exist')
    .action(async function keygen(options: KeygenOptions) {
      const keyFile = `${options.outputKeyPrefix}.key`
      const pubFile = `${options.outputKeyPrefix}.pub`
      const password = await readPassword(keyFile, { confirm: true })
      const pair = await generateCosignKeyPair(password)
      // Both files are opened before either is written, so a refusal leaves nothing behind.
      const flags = options.force ? 'w' : 'wx'
      const keyHandle = await open(keyFile, flags, 0o600).catch((error: unknown) => {
        throw exists(error, keyFile)
      })
      try {
        const pubHandle = await open(pubFile, flags, 0o644).catch((error: unknown) => {
          throw exists(error, pubFile)
        })
        try {
          await keyHandle.writeFile(pair.privateKeyPem)
          await keyHandle.chmod(0o600)
          await pubHandle.writeFile(pair.publicKeyPem)
        } finally {
          await pubHandle.close()
        }
      } catch (error) {
        await keyHandle.close()
        if (!options.force) await rm(keyFile, { force: true })
        throw error
      }
      await keyHandle.close()
      const keyId = keyIdOf(readCosignPublicKey(pair.publicKeyPem, pubFile))
      process.stdout.write(`Private key written to ${keyFile}\nPublic key written to ${pubFile}\n`)
      process.stdout.write(`key id ${keyId}\n`)
    })
}

function exists(error: unknown, path: string): unknown {
  return (error as NodeJS.ErrnoException).code === 'EEXIST'
    ? new SigningKeyExistsError({ path })
    : error
}

/**
 * The password of a private key: COSIGN_PASSWORD when set (even empty, as
 * cosign reads it), else asked on the terminal without echo (twice when
 * `confirm`); AION_SIGNING_PASSWORD_MISSING when there is no terminal.
 */
export async function readPassword(
  file: string,
  options: { confirm?: boolean } = {},
): Promise<string> {
  const fromEnv = process.env.COSIGN_PASSWORD
  if (fromEnv !== undefined) return fromEnv
  if (!process.stdin.isTTY) throw new SigningPasswordMissingError({ file })
  const password = await prompt('Enter password for private key: ')
  if (options.confirm) {
    const again = await prompt('Enter password for private key again: ')
    if (again !== password) throw new SigningPasswordMismatchError({})
  }
  return password
}

/** Reads one line from the terminal in raw mode, so nothing typed is echoed. */
function prompt(question: string): Promise<string> {
  const input = process.stdin
  // Raw mode first: what is typed after the question shows must never be echoed.
  input.setRawMode(true)
  input.setEncoding('utf8')
  input.resume()
  process.stderr.write(question)
  return new Promise((resolve, reject) => {
    let value = ''
    const finish = (): void => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      process.stderr.write('\n')
    }
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish()
          resolve(value)
          return
        }
        if (ch === '\u0003') {
          finish()
          reject(new SigningPasswordMissingError({ file: 'the prompt (interrupted)' }))
          return
        }
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch
      }
    }
    input.on('data', onData)
  })
}
