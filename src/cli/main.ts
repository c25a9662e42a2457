/**
 * `aionctl`: the operator's command line. Each command lives in its own file
 * under `commands/` and is loaded only when a call names it (see
 * command-index.ts); this file assembles the program and turns every error
 * into one line: what went wrong, with its AION_* code (JSON with `--json`),
 * and a stack trace only with `--debug`.
 */
import { Command, CommanderError, Help } from 'commander'
import { AionError } from '../core/errors/index.js'
import { commandIndex, type CommandEntry } from './command-index.js'
import { packageVersion } from './commands/version.js'

/** The command a call names (`aionctl help <name>` included), if any. */
function namedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'))
  return words[0] === 'help' ? words[1] : words[0]
}

/** A command as the top-level help lists it, without loading it. */
function placeholder(entry: CommandEntry, placeholders: WeakSet<Command>): Command {
  const command = new Command(entry.name).summary(entry.summary)
  placeholders.add(command)
  return command
}

/** The program, with the command `argv` names loaded and the others listed only. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const placeholders = new WeakSet<Command>()
  const program = new Command('aionctl')
    .description('Operate an OMERTAOS platform: validate registries, migrate the store, and more.')
    .version(packageVersion(), '-V, --version', 'print the aionctl version')
    .option('--debug', 'print the stack trace with an error')
    .showHelpAfterError()
    .exitOverride()
    .configureHelp({
      subcommandTerm: (command) => {
        const entry = commandIndex.find((e) => e.name === command.name())
        return placeholders.has(command) && entry
          ? `${entry.name}${entry.usage === '' ? '' : ` ${entry.usage}`}`
          : Help.prototype.subcommandTerm.call(new Help(), command)
      },
    })
  const named = namedCommand(argv)
  for (const entry of commandIndex) {
    program.addCommand(entry.name === named ? await entry.load() : placeholder(entry, placeholders))
  }
  return program
}

/** What an error says in one line: its code and message. */
function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof AionError) return { code: error.code, message: error.message }
  // An API answer (AionApiError) carries its code; its message starts with the status.
  const api = error as { name?: unknown; code?: unknown; message?: unknown }
  if (api.name === 'AionApiError' && typeof api.code === 'string')
    return { code: api.code, message: String(api.message) }
  const message = error instanceof Error ? error.message : String(error)
  return {
    code: 'AION_INTERNAL_UNEXPECTED',
    message: `unexpected error: ${message} (run again with --debug for where it happened)`,
  }
}

/** The stack of `error` and of each cause, for `--debug`. */
function stacks(error: unknown): string {
  const parts: string[] = []
  for (let e = error; e !== undefined && e !== null && parts.length < 5;) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e))
    e = e instanceof Error ? e.cause : undefined
  }
  return parts.join('\ncaused by: ')
}

/** Prints `error` as one line (stderr), or as JSON on stdout with `--json`; returns the exit code. */
export function reportError(error: unknown, argv: readonly string[]): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
  const { code, message } = describeError(error)
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`)
  } else {
    const line = message.includes(code) ? message : `${code}: ${message}`
    process.stderr.write(`aionctl: ${line}\n`)
  }
  if (argv.includes('--debug')) process.stderr.write(`${stacks(error)}\n`)
  return 1
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    // Help and version exit through here with code 0; usage errors with 1 → we use 2 (usage).
    return reportError(error, argv)
  }
}

process.exitCode = await runCli(process.argv.slice(2))
