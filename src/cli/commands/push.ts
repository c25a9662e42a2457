/**
 * `aionctl push <dir|tarball> <registry>/<repository>[:<tag>]`: packs the
 * package reproducibly (after every check) and pushes it as an OCI artifact
 * (see distribution/oci/aip-artifact.ts); prints the manifest digest and the pinned
 * `repository@sha256:…` reference. The tag defaults to the package version.
 */
import { Command } from 'commander'
import { loadSettings } from '../../core/settings/index.js'
import {
  OciClient,
  packPackage,
  parseReference,
  pushPackage,
} from '../../distribution/oci/index.js'
import { printProblem } from './pack.js'

export function pushCommand(): Command {
  return new Command('push')
    .description(
      'pack a package and push it to an OCI registry (credentials: AION_REGISTRY_<ID>_* or the Docker config); prints the manifest digest and the pinned reference',
    )
    .argument('<package>', 'a package directory or a package archive')
    .argument('<reference>', 'registry/repository[:tag] (tag defaults to the package version)')
    .option('--json', 'print JSON for machines')
    .action(async function push(source: string, reference: string, options: { json?: boolean }) {
      const ref = parseReference(reference)
      const packed = await packPackage(source, { onProblem: (p) => printProblem(source, p) })
      const client = OciClient.fromSettings(loadSettings().distribution)
      try {
        const pushed = await pushPackage(client, ref, packed)
        const { name, version } = packed.manifest.metadata
        const result = {
          name,
          version,
          tag: pushed.tag,
          digest: pushed.descriptor.digest,
          reference: pushed.pinned,
          layerDigest: packed.digest,
        }
        process.stdout.write(
          options.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `pushed ${name} ${version} as :${pushed.tag}\n${pushed.descriptor.digest}\n${pushed.pinned}\n`,
        )
      } finally {
        await client.close()
      }
    })
}
