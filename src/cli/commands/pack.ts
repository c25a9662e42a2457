/**
 * `aionctl pack <dir|tarball> [-o file]`: checks the package with every
 * platform check and writes its reproducible `.tar.gz` (the same content
 * always gives the same bytes and digest); prints the digest and the file.
 */
import { writeFile } from 'node:fs/promises'
import { Command } from 'commander'
import type { PackageProblem } from '../../distribution/aip/index.js'
import { packPackage } from '../../distribution/oci/index.js'

/** Prints one problem of a refused package to stderr. */
export function printProblem(source: string, p: PackageProblem): void {
  process.stderr.write(
    `${source}: ${p.code}: ${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}\n`,
  )
}

export function packCommand(): Command {
  return new Command('pack')
    .description(
      'check a package (directory or .tar/.tar.gz/.tgz) and write its reproducible .tar.gz; prints its sha256 digest',
    )
    .argument('<package>', 'a package directory or a package archive')
    .option('-o, --output <file>', 'where to write it (default: ./<name>-<version>.aip.tar.gz)')
    .option('--json', 'print JSON for machines')
    .action(async function pack(source: string, options: { output?: string; json?: boolean }) {
      const packed = await packPackage(source, { onProblem: (p) => printProblem(source, p) })
      const file = options.output ?? packed.fileName
      await writeFile(file, packed.bytes, { mode: 0o644 })
      const { name, version } = packed.manifest.metadata
      const result = { name, version, digest: packed.digest, size: packed.size, file }
      process.stdout.write(
        options.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : `${packed.digest}  ${file}\n  ${name} ${version}, ${packed.size} bytes\n`,
      )
    })
}
