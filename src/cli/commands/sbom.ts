/**
 * `aionctl sbom <ref|dir|archive>`: prints a package's CycloneDX 1.6 SBOM —
 * the one attached in the registry for a reference (OCI referrer, else the
 * `sha256-<hex>.sbom` tag), or one made on the spot for a local package
 * directory or archive (packed reproducibly first, so its hash is the one a
 * push would give). `--attach` makes the SBOM of the package the reference
 * names, from the bytes the registry serves, and attaches it.
 */
import { stat } from 'node:fs/promises'
import { Command } from 'commander'
import { loadSettings } from '../../core/settings/index.js'
import { OciClient, packPackage, parseReference } from '../../distribution/oci/index.js'
import { attachPackageSbom, fetchSbom, sbomOfArchive } from '../../distribution/sbom/index.js'
import { packageVersion } from './version.js'

interface SbomOptions {
  readonly attach?: boolean
}

export function sbomCommand(): Command {
  return new Command('sbom')
    .description(
      "print a package's CycloneDX SBOM: the one attached in a registry, or one made for a local package",
    )
    .option('--attach', 'make the SBOM of the referenced package and attach it in its registry')
    .argument(
      '<source>',
      'registry/repository:tag (or @sha256:<hex>), a package directory or archive',
    )
    .action(async function sbom(source: string, options: SbomOptions) {
      const tool = { name: 'aionctl', version: packageVersion() }
      if (!options.attach && (await isLocal(source))) {
        const packed = await packPackage(source, {
          onProblem: (problem) =>
            process.stderr.write(`aionctl: ${problem.code}: ${problem.message}\n`),
        })
        process.stdout.write(`${(await sbomOfArchive(packed.bytes, tool)).json}\n`)
        return
      }
      const ref = parseReference(source)
      const client = OciClient.fromSettings(loadSettings().distribution)
      try {
        if (options.attach) {
          const attached = await attachPackageSbom(client, ref, tool)
          process.stderr.write(
            `Attached SBOM ${attached.manifestDigest} to ${attached.subject} (${attached.via === 'referrers' ? 'OCI referrer' : 'tag sha256-<hex>.sbom'})\n`,
          )
          process.stdout.write(`${attached.json}\n`)
          return
        }
        process.stdout.write(`${(await fetchSbom(client, ref)).json}\n`)
      } finally {
        await client.close()
      }
    })
}

async function isLocal(source: string): Promise<boolean> {
  return (await stat(source).catch(() => undefined)) !== undefined
}
