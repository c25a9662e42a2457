import { readFileSync } from 'node:fs'
import { Command } from 'commander'

/** The version in package.json, read once. */
export function packageVersion(): string {
  const url = new URL('../../../package.json', import.meta.url)
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
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
