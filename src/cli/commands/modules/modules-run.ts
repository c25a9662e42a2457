/**
 * `aionctl modules run <pkg|dir|tarball> --input <file>`: runs one call of a
 * package through the platform's own executor (the same checks, sandbox and
 * limits as the server), prints the output JSON on stdout and what the call
 * used on stderr. Any failure exits 1 with its AION_* code.
 */
import { readFile } from 'node:fs/promises'
import { Command, InvalidArgumentError } from 'commander'
import { CliInputInvalidError, ModuleSourceNotFoundError } from '../../../core/errors/index.js'
import { loadSettings } from '../../../core/settings/index.js'
import type { ModuleDescriptor, ModuleResult } from '../../../runtime/index.js'
import { startModuleExecutor, SubprocessWarnings } from './module-executor.js'
import { resolveSource, stagePackage } from './package-source.js'
import { buildMissingWasm } from './wasm-build.js'

interface RunOptions {
  input: string
  timeoutMs?: number
  json?: boolean
}

function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new InvalidArgumentError('expected milliseconds')
  return Number(value)
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The JSON in `file` (`-`: stdin); throws AION_CLI_INPUT_INVALID. */
export async function readInput(file: string): Promise<unknown> {
  let text: string
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
  } catch (error) {
    throw new CliInputInvalidError({ file, detail: (error as Error).message }, { cause: error })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const detail = `not JSON: ${(error as Error).message}`
    throw new CliInputInvalidError({ file, detail }, { cause: error })
  }
}

/** What one call used. */
export interface CallResources {
  readonly durationMs: number
  /** The output's size as JSON (UTF-8). */
  readonly outputBytes: number
  /** The log (stderr) the module wrote, as kept by the executor. */
  readonly stderrBytes: number
  /** Peak memory, when the executor measured it. */
  readonly memoryPeakBytes?: number
}

function resourcesOf(result: ModuleResult): CallResources {
  return {
    durationMs: Math.round(result.durationMs * 1000) / 1000,
    outputBytes: Buffer.byteLength(JSON.stringify(result.output)),
    stderrBytes: Buffer.byteLength(result.logs),
    ...(result.memoryPeakBytes === undefined ? {} : { memoryPeakBytes: result.memoryPeakBytes }),
  }
}

function summary(module: ModuleDescriptor, used: CallResources): string {
  return (
    `${module.name} ${module.version} (${module.runtime}): ${used.durationMs.toFixed(2)} ms, ` +
    `output ${used.outputBytes} B, stderr ${used.stderrBytes} B` +
    (used.memoryPeakBytes === undefined
      ? ''
      : `, memory ${(used.memoryPeakBytes / 1048576).toFixed(1)} MiB`) +
    '\n'
  )
}

export function runCommand(): Command {
  return new Command('run')
    .description(
      'run a package (directory, .tar/.tar.gz/.tgz, or installed name) once on a JSON input through the platform executor; print the output and the resources used',
    )
    .argument('<package>', 'a package directory, a package archive, or an installed package name')
    .requiredOption('--input <file>', 'JSON file holding the input (- reads stdin)')
    .option(
      '--timeout-ms <ms>',
      "wall-clock limit, at most the manifest's timeout_ms",
      positiveInteger,
    )
    .option('--json', 'print {module, version, runtime, output, resources, logs} as JSON')
    .action(async function run(source: string, options: RunOptions) {
      const settings = loadSettings()
      const resolved = await resolveSource(source, settings.modules.packagesDir)
      const input = await readInput(options.input)
      if (resolved.kind === 'directory') {
        await buildMissingWasm(resolved.path, (line) => process.stderr.write(`aionctl: ${line}\n`))
      }
      const staged = await stagePackage(resolved)
      try {
        const warnings = new SubprocessWarnings()
        const executor = await startModuleExecutor(settings, staged.packagesDir, warnings)
        try {
          const [problem] = executor.quarantined()
          if (problem) throw problem.error
          const [module] = [...executor.modules().values()]
          if (!module)
            throw new ModuleSourceNotFoundError({ source, packagesDir: staged.packagesDir })
          if (module.runtime === 'subprocess') warnings.show()
          const controller = new AbortController()
          const interrupt = () => controller.abort()
          process.once('SIGINT', interrupt)
          const limit = options.timeoutMs ?? module.timeoutMs
          const result = await executor
            .run({ module: module.name, input, signal: controller.signal, timeoutMs: limit })
            .finally(() => process.off('SIGINT', interrupt))
          const used = resourcesOf(result)
          if (options.json) {
            const { name, version, runtime } = module
            const report = {
              module: name,
              version,
              runtime,
              output: result.output,
              resources: used,
              logs: result.logs,
            }
            process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
          } else {
            process.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`)
            if (result.logs)
              process.stderr.write(result.logs.endsWith('\n') ? result.logs : `${result.logs}\n`)
            process.stderr.write(summary(module, used))
          }
        } finally {
          await executor.close()
        }
      } finally {
        await staged.remove()
      }
    })
}
