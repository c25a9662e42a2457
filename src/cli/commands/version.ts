import { existsSync, readFileSync } from 'node:fs'
import { Command } from 'commander'

/**
 * The version in the repository's package.json, read once: the nearest one up
 * from this file, which runs from `src/` or from its build under `dist/`.
 */
export function packageVersion(): string {
  let dir = new URL('.', import.meta.url)
  for (;;) {
    const file = new URL('package.json', dir)
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string }
      if (pkg.name === 'omertaos') return pkg.version
    }
    const parent = new URL('..', dir)
    if (parent.href === dir.href) throw new Error('package.json of omertaos not found')
    dir = parent
  }
}

export function versionCommand(): Command {
  return new Command('version')
    .description('print the version of aionctl and of the contracts it speaks')
    .option('--json', 'print JSON for machines')
    .action(function printVersion(options: { json?: boolean }) {
      const info = { aionctl: packageVersion(), api: 'aion.v1', node: process.versions.node }
      process.stdout.write(
        options.json
          ? `${JSON.stringify(info)}\n`
          : `aionctl ${info.aionctl} (api ${info.api}, node ${info.node})\n`,
      )
    })
}
