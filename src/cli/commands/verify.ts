/**
 * `aionctl verify [--key <pub>…] <ref>`: verifies a package's cosign signature
 * the way `cosign verify --key <pub> --insecure-ignore-tlog=true` does, against
 * the keys given (else the trusted keys of the settings, AION_TRUSTED_KEYS).
 * Success: exit 0, the verified payload on stdout (exactly the signed bytes)
 * and the signer's key id on stderr. Failure: exit 1 with the error's code
 * (AION_SIGNATURE_NOT_FOUND, _UNTRUSTED, _DIGEST_MISMATCH, _PAYLOAD_TAMPERED, …).
 */
import { Command } from 'commander'
import { loadSettings } from '../../core/settings/index.js'
import { OciClient, parseReference } from '../../distribution/oci/index.js'
import { loadTrustedKeys, verifyArtifact } from '../../distribution/signing/index.js'

interface VerifyOptions {
  readonly key?: string[]
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      "verify a package's cosign signature against public keys (--key, else AION_TRUSTED_KEYS)",
    )
    .option(
      '--key <file>',
      'a trusted public key (cosign.pub); repeatable',
      (file: string, previous: string[] = []) => [...previous, file],
    )
    .argument('<ref>', 'registry/repository:tag or @sha256:<hex>')
    .action(async function verify(reference: string, options: VerifyOptions) {
      const ref = parseReference(reference)
      const settings = loadSettings()
      const keys = await loadTrustedKeys(options.key ?? settings.distribution.trustedKeys)
      const client = OciClient.fromSettings(settings.distribution)
      try {
        const verified = await verifyArtifact(client, ref, keys)
        process.stderr.write(
          `Verified ${reference} (${verified.digest}): signed by key ${verified.keyId} (${verified.keySource}); ` +
            `docker-reference ${verified.claims.dockerReference}\n`,
        )
        process.stdout.write(`${verified.payload.toString('utf8')}\n`)
      } finally {
        await client.close()
      }
    })
}
