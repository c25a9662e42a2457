/**
 * `aionctl`: the operator's command line. Each command lives in its own file
 * under `commands/`; this file only assembles them.
 */
import { Command, CommanderError } from 'commander'
import { AionError } from '../core/errors/index.js'
import { AionApiError } from '../sdk/index.js'
import { registryInstallCommand } from './commands/install.js'
import { keygenCommand } from './commands/keygen.js'
import { keysCommand } from './commands/keys.js'
import { migrateCommand } from './commands/migrate.js'
import { modulesCommand } from './commands/modules.js'
import { quarantineCommand } from './commands/modules-quarantine.js'
import { packCommand } from './commands/pack.js'
import { eventsCommand, policyCommand } from './commands/policy.js'
import { pullCommand } from './commands/pull.js'
import { pushCommand } from './commands/push.js'
import { sbomCommand } from './commands/sbom.js'
import { signCommand } from './commands/sign.js'
import { submitCommand } from './commands/submit.js'
import { validateCommand } from './commands/validate.js'
import { verifyCommand } from './commands/verify.js'
import { packageVersion, versionCommand } from './commands/version.js'

export function buildProgram(): Command {
  const program = new Command('aionctl')
    .description('Operate an OMERTAOS platform: validate registries, migrate the store, and more.')
    .version(packageVersion(), '-V, --version', 'print the aionctl version')
    .showHelpAfterError()
    .exitOverride()
  program.addCommand(validateCommand())
  program.addCommand(migrateCommand())
  program.addCommand(versionCommand())
  program.addCommand(submitCommand())
  program.addCommand(policyCommand())
  program.addCommand(eventsCommand())
  program.addCommand(keysCommand())
  program.addCommand(modulesCommand().addCommand(quarantineCommand()))
  program.addCommand(packCommand())
  program.addCommand(pushCommand())
  program.addCommand(pullCommand())
  program.addCommand(keygenCommand())
  program.addCommand(signCommand())
  program.addCommand(verifyCommand())
  program.addCommand(sbomCommand())
  program.addCommand(registryInstallCommand())
  return program
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    // Help and version exit through here with code 0; usage errors with 1 → we use 2 (usage).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    if (error instanceof AionError) {
      process.stderr.write(`aionctl: ${error.code}: ${error.message}\n`)
      return 1
    }
    if (error instanceof AionApiError) {
      process.stderr.write(`aionctl: ${error.message}\n`)
      return 1
    }
    throw error
  }
}

process.exitCode = await runCli(process.argv.slice(2))
