import { Command } from 'commander'
import { formatRegistryIssues, loadRegistrySet } from '../../core/registry/index.js'

export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'validate the registry files (intents, policies, models, modules) of a directory together; exit 1 listing every error',
    )
    .argument('[dir]', 'directory holding the registry files', 'config')
    .option('--json', 'print the result as JSON for machines')
    .action(async function validate(dir: string, options: { json?: boolean }) {
      const result = await loadRegistrySet(dir)
      if (options.json) {
        const body = result.ok
          ? { valid: true, dir, contentHash: result.set.contentHash, issues: [] }
          : { valid: false, dir, issues: result.issues }
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
      } else if (result.ok) {
        process.stdout.write(`${dir}: valid (content hash ${result.set.contentHash})\n`)
      } else {
        process.stderr.write(`${formatRegistryIssues(result.issues, dir)}\n`)
        process.stderr.write(`${dir}: ${result.issues.length} error(s)\n`)
      }
      process.exitCode = result.ok ? 0 : 1
    })
}
