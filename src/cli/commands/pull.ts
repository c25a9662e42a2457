/**
 * `aionctl pull <reference> [-o file|dir]`: fetches an AIP package artifact
 * (the manifest checked for our artifact type, the layer's size limit checked
 * before and its digest while downloading) and writes the archive — or, when
 * `-o` names a directory (no `.tar`/`.tar.gz`/`.tgz` ending), unpacks it there
 * after checking every entry. Nothing is left behind on a failure.
 */
import { copyFile, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { Command } from 'commander'
import { OciOutputExistsError } from '../../core/errors/index.js'
import { loadSettings } from '../../core/settings/index.js'
import { extractPackageArchive, isPackageArchive } from '../../distribution/aip/index.js'
import { OciClient, parseReference, pullPackage } from '../../distribution/oci/index.js'

/** Refuses an output that is there already (an empty directory is fine). */
async function checkFree(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) return
  if (info.isDirectory() && (await readdir(path)).length === 0) return
  throw new OciOutputExistsError({ path })
}

export function pullCommand(): Command {
  return new Command('pull')
    .description(
      'pull an AIP package from an OCI registry, digest- and size-checked; writes the archive, or unpacks it into a directory',
    )
    .argument('<reference>', 'registry/repository:tag or registry/repository@sha256:…')
    .option(
      '-o, --output <file|dir>',
      'a .tar.gz/.tgz/.tar file to write, or a directory to unpack into (default: ./<name>-<version>.aip.tar.gz)',
    )
    .option('--json', 'print JSON for machines')
    .action(async function pull(reference: string, options: { output?: string; json?: boolean }) {
      const ref = parseReference(reference)
      const client = OciClient.fromSettings(loadSettings().distribution)
      const scratch = await mkdtemp(join(tmpdir(), 'aion-pull-'))
      try {
        const archive = join(scratch, 'package.tar.gz')
        if (options.output !== undefined) await checkFree(options.output)
        const artifact = await pullPackage(client, ref, archive)
        const output = options.output ?? artifact.fileName
        await checkFree(output)
        if (isPackageArchive(output)) {
          await copyFile(archive, output)
        } else {
          // Unpacked beside the target and renamed into place: never half a package there.
          const staged = await mkdtemp(join(dirname(resolve(output)), '.aion-pull-'))
          try {
            await extractPackageArchive(archive, staged)
            await rename(staged, output)
          } catch (error) {
            await rm(staged, { recursive: true, force: true })
            throw error
          }
        }
        const result = {
          digest: artifact.descriptor.digest,
          layerDigest: artifact.layer.digest,
          size: artifact.layer.size,
          output,
        }
        process.stdout.write(
          options.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `${artifact.descriptor.digest}\n  ${artifact.layer.digest} (${artifact.layer.size} bytes) → ${output}\n`,
        )
      } finally {
        await rm(scratch, { recursive: true, force: true })
        await client.close()
      }
    })
}
