/**
 * `aionctl sign --key <key> <ref>`: signs the manifest a reference names the
 * way `cosign sign --key <key> --tlog-upload=false` does — the tag resolves to
 * its digest, the simple-signing payload is signed with the cosign private key
 * (password from COSIGN_PASSWORD or a prompt), and the signature manifest at
 * `sha256-<hex>.sig` gains a layer (earlier signatures are kept).
 */
import { readFile } from 'node:fs/promises'
import { Command, InvalidArgumentError } from 'commander'
import { CliInputInvalidError } from '../../core/errors/index.js'
import { loadSettings } from '../../core/settings/index.js'
import { OciClient, parseReference } from '../../distribution/oci/index.js'
import { readCosignPrivateKey, signArtifact } from '../../distribution/signing/index.js'
import { readPassword } from './keygen.js'

interface SignOptions {
  readonly key: string
  readonly annotation?: Record<string, string>
}

export function signCommand(): Command {
  return new Command('sign')
    .description(
      'sign a package in a registry with a cosign key (signature manifest at sha256-<hex>.sig, as cosign writes it)',
    )
    .requiredOption('--key <file>', 'the cosign private key (cosign.key)')
    .option(
      '-a, --annotation <key=value>',
      'an annotation in the signed payload (repeatable)',
      collectAnnotation,
    )
    .argument('<ref>', 'registry/repository:tag or @sha256:<hex>')
    .action(async function sign(reference: string, options: SignOptions) {
      const ref = parseReference(reference)
      const pem = await readFile(options.key, 'utf8').catch((error: unknown) => {
        throw new CliInputInvalidError(
          { file: options.key, detail: (error as Error).message },
          { cause: error },
        )
      })
      const privateKey = await readCosignPrivateKey(
        pem,
        await readPassword(options.key),
        options.key,
      )
      const client = OciClient.fromSettings(loadSettings().distribution)
      try {
        const signed = await signArtifact(client, ref, privateKey, options.annotation)
        process.stdout.write(
          `Pushed signature to ${signed.repository}:${signed.signatureTag}\n` +
            `digest ${signed.digest}\nkey id ${signed.keyId}\nsignatures ${signed.signatures}\n`,
        )
      } finally {
        await client.close()
      }
    })
}

function collectAnnotation(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const at = value.indexOf('=')
  if (at <= 0)
    throw new InvalidArgumentError(`annotation ${JSON.stringify(value)} is not key=value`)
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) }
}
