/**
 * `npm start`: one process on embedded defaults (SQLite, everything in
 * process). Exits 0 after a clean SIGTERM/SIGINT drain, 1 when it cannot
 * start: every reason is printed on stderr, one `omertaos: cannot start:` line
 * with its AION_* code (settings and registry problems list each below it).
 */
import { AionError, RegistryInvalidError, SettingsInvalidError } from '../core/errors/index.js'
import { formatRegistryIssues } from '../core/registry/index.js'
import { loadSettings } from '../core/settings/index.js'
import { createLogger, startPlatform, type Platform } from './platform.js'

/** Set once the start has ended, listening or reported; see {@link reportUnfinishedStart}. */
let startEnded = false

async function main(): Promise<void> {
  let settings
  try {
    settings = loadSettings()
  } catch (error) {
    reportStartupFailure(error)
    return
  }
  const logger = createLogger(settings)
  let platform: Platform
  try {
    platform = await startPlatform(settings, logger)
  } catch (error) {
    reportStartupFailure(error)
    return
  }
  startEnded = true

  printBanner(platform)

  let stopping = false
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'draining')
    // The drain itself ends in-flight work at shutdownTimeoutMs; this is the backstop
    // for a drain that hangs past it (a stuck close), not the drain's deadline.
    const backstopMs = settings.shutdownTimeoutMs + 5000
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: backstopMs }, 'drain did not finish, exiting')
      process.exit(1)
    }, backstopMs)
    deadline.unref()
    platform.stop().then(
      () => {
        logger.info('stopped')
        process.exitCode = 0
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping')
        process.exitCode = 1
      },
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}

/** What a new user needs: where it listens and, on a first start, the key to use. */
function printBanner(platform: Platform): void {
  const lines = [`OMERTAOS is up at ${platform.url}`]
  if (platform.devApiKey) {
    lines.push(
      `Development API key (operator scope, default tenant, shown once; only its hash is stored): ${platform.devApiKey}`,
      'Try it:',
      `  curl -s ${platform.url}/v1/tasks -H 'authorization: Bearer ${platform.devApiKey}' -H 'prefer: wait=10' \\`,
      `    -H 'content-type: application/json' -d '{"intent":"summarize","input":{"text":"Your long text. More sentences here."}}'`,
    )
  } else {
    lines.push('API keys: `npx aionctl keys create --scope tasks:write --scope tasks:read`')
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

/** Startup problems go to stderr as one readable block, every problem listed. */
function reportStartupFailure(error: unknown): void {
  startEnded = true
  if (error instanceof RegistryInvalidError) {
    process.stderr.write(
      `omertaos: cannot start: ${error.code}: the registry files have problems:\n` +
        `${formatRegistryIssues(error.fields.issues)}\n`,
    )
  } else if (error instanceof SettingsInvalidError) {
    const lines = error.fields.problems.map((p) => `  ${p.variable} ${p.message}`)
    process.stderr.write(
      `omertaos: cannot start: ${error.code}: ${lines.length} setting(s) to fix:\n${lines.join('\n')}\n`,
    )
  } else if (error instanceof AionError) {
    process.stderr.write(`omertaos: cannot start: ${error.code}: ${error.message}\n`)
  } else if (isFileError(error)) {
    // A file a setting names (a TLS certificate, a key…) that cannot be read.
    process.stderr.write(
      `omertaos: cannot start: ${error.message} (check the AION_* setting that names ${error.path})\n`,
    )
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`omertaos: cannot start: ${detail}\n`)
  }
  process.exitCode = 1
}

function isFileError(error: unknown): error is NodeJS.ErrnoException & { path: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).path === 'string'
}

/**
 * The backstop for a start that never ends: when the event loop empties while
 * the start still waits (Node would exit 13, "unsettled top-level await", and
 * print nothing), say so and exit 1 like any failed start.
 */
function reportUnfinishedStart(): void {
  if (startEnded) return
  process.stderr.write(
    'omertaos: cannot start: the start stopped before it finished (it waited on something that can no longer happen); run with AION_LOG_LEVEL=debug and report the log\n',
  )
  process.exitCode = 1
}

process.once('exit', reportUnfinishedStart)
main().catch((error: unknown) => reportStartupFailure(error))
