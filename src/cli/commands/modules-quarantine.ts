/**
 * `aionctl modules quarantine [--json]`: the packages an install quarantined
 * (rows of `modules` with status `quarantined`, on the store the settings
 * name), each with its reason's code and message. Their bytes are kept under
 * `quarantine/<name>/<version>/<digest>/` in the object store; none runs.
 */
import { Command } from 'commander'
import { DEFAULT_TENANT_ID, type ModuleRecord } from '../../storage/index.js'
import { withStore } from './cli-store.js'

/** One quarantined package as printed. */
export interface QuarantineListing {
  readonly name: string
  readonly version: string
  readonly digest: string
  readonly runtime: string
  readonly reason_code: string
  readonly reason: string
  readonly quarantined_at: string
}

function listing(record: ModuleRecord): QuarantineListing {
  const reason = record.reason ?? ''
  const match = /^(AION_[A-Z0-9_]+): ([\s\S]*)$/.exec(reason)
  return {
    name: record.name,
    version: record.version,
    digest: record.digest,
    runtime: record.runtime,
    reason_code: match?.[1] ?? 'UNKNOWN',
    reason: match?.[2] ?? reason,
    quarantined_at: record.updatedAt,
  }
}

async function quarantined(): Promise<QuarantineListing[]> {
  return withStore(async (store) => {
    const records = await store.modules.list(DEFAULT_TENANT_ID, { status: 'quarantined' })
    return records.map(listing)
  })
}

export function quarantineCommand(): Command {
  return new Command('quarantine')
    .description(
      'list the packages installs quarantined, with the code and reason of the failed check',
    )
    .option('--json', 'print JSON for machines')
    .action(async function listQuarantine(options: { json?: boolean }) {
      const rows = await quarantined()
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
        return
      }
      if (rows.length === 0) {
        process.stdout.write('no quarantined packages\n')
        return
      }
      for (const row of rows) {
        process.stdout.write(
          `${row.name} ${row.version} ${row.digest}\n  ${row.reason_code}: ${row.reason}\n`,
        )
      }
    })
}
