import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { Command, InvalidArgumentError, Option } from 'commander'
import type { ResultEnvelope, TaskRequest } from '../../../contracts/generated/index.js'
import { CliInputInvalidError } from '../../core/errors/index.js'
import { isTerminalStatus } from '../../core/task-status.js'
import { clientFrom, type ClientOptions } from './client.js'

interface SubmitOptions extends ClientOptions {
  intent: string
  file?: string
  input?: string
  route?: TaskRequest['route']
  budget?: string
  stream?: boolean
  wait?: boolean
  json?: boolean
  param: string[]
}

export function submitCommand(): Command {
  return new Command('submit')
    .description('submit a task to a running platform and show its result')
    .requiredOption('--intent <name>', 'the intent, e.g. summarize')
    .option('--file <path>', 'a text file; becomes input.text')
    .option('--input <path>', 'a JSON file holding the whole input object')
    .option('--param <key=value>', 'set input.key (repeatable; JSON values allowed)', collect, [])
    .addOption(
      new Option('--route <route>', 'requested route').choices(['auto', 'local', 'api', 'hybrid']),
    )
    .option('--budget <usd>', 'budget in US dollars')
    .option('--stream', 'stream tokens and partial output live')
    .option('--wait', 'wait for the final result (Prefer: wait=60)')
    .option('--json', 'print the final envelope as JSON')
    .option('--url <url>', 'platform URL (default AION_URL or http://AION_HOST:AION_PORT)')
    .option('--key <key>', 'API key (default AION_API_KEY)')
    .action(async function submit(options: SubmitOptions) {
      const client = clientFrom(options)
      const request: TaskRequest = {
        intent: options.intent,
        input: await buildInput(options),
        ...(options.route ? { route: options.route } : {}),
        ...(options.budget ? { budget_usd: Number(options.budget) } : {}),
        ...(options.stream ? { stream: true } : {}),
      }
      let envelope = await client.submit(request, {
        idempotencyKey: randomUUID(),
        ...(options.wait && !options.stream ? { waitSeconds: 60 } : {}),
      })
      // What the stream showed live is not printed again at the end.
      let shown = false
      if (options.stream) {
        for await (const event of client.stream(envelope.task_id)) {
          if (event.event === 'token' && !options.json) {
            process.stdout.write(event.text)
            shown = true
          } else if (event.event === 'partial' && !options.json) {
            process.stdout.write(`${JSON.stringify(event.output)}\n`)
            shown = true
          } else if (event.event === 'done') envelope = event.envelope
          else if (event.event === 'error') {
            process.stderr.write(`\nstream error ${event.error.code}: ${event.error.message}\n`)
            process.exitCode = 1
            return
          }
        }
        if (shown) process.stdout.write('\n')
      }
      printEnvelope(envelope, { json: Boolean(options.json), outputShown: shown })
    })
}

function collect(value: string, previous: string[]): string[] {
  if (value.indexOf('=') <= 0) throw new InvalidArgumentError('expected key=value')
  return [...previous, value]
}

/** The text of `file`; throws AION_CLI_INPUT_INVALID, saying what to check. */
async function readText(option: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    throw new CliInputInvalidError(
      { file, detail: `${option} cannot be read: ${reason} (check the path)` },
      { cause: error },
    )
  }
}

/** The JSON object in `--input`'s file; throws AION_CLI_INPUT_INVALID. */
async function readInputObject(file: string): Promise<Record<string, unknown>> {
  const text = await readText('--input', file)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const detail = `--input must hold a JSON object: ${(error as Error).message}`
    throw new CliInputInvalidError({ file, detail }, { cause: error })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliInputInvalidError({ file, detail: '--input must hold a JSON object ({...})' })
  }
  return value as Record<string, unknown>
}

async function buildInput(options: SubmitOptions): Promise<Record<string, unknown>> {
  const input = options.input ? await readInputObject(options.input) : {}
  if (options.file) input.text = await readText('--file', options.file)
  for (const pair of options.param) {
    const at = pair.indexOf('=')
    input[pair.slice(0, at)] = parseLoose(pair.slice(at + 1))
  }
  return input
}

function parseLoose(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

function printEnvelope(
  envelope: ResultEnvelope,
  how: { readonly json: boolean; readonly outputShown: boolean },
): void {
  if (how.json) {
    process.stdout.write(`${JSON.stringify(envelope, null, 2)}\n`)
  } else if (envelope.status === 'succeeded') {
    const output = envelope.output as Record<string, unknown> | null
    const text = output?.summary ?? output?.text
    if (!how.outputShown)
      process.stdout.write(
        typeof text === 'string' ? `${text}\n` : `${JSON.stringify(envelope.output, null, 2)}\n`,
      )
    const engine = envelope.engine ? `${envelope.engine.kind} ${envelope.engine.name}` : '-'
    process.stderr.write(
      `${envelope.task_id} ${envelope.status} via ${envelope.route ?? '-'} (${engine}) in ${envelope.usage.duration_ms} ms, $${envelope.usage.cost_usd}\n`,
    )
  } else {
    process.stdout.write(`${envelope.task_id} ${envelope.status}\n`)
    if (envelope.error) process.stderr.write(`${envelope.error.code}: ${envelope.error.message}\n`)
  }
  if (isTerminalStatus(envelope.status) && envelope.status !== 'succeeded') process.exitCode = 1
}
