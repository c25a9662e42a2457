/**
 * Platform settings, parsed once at startup from the environment. This is the
 * only place that reads `process.env`; everything else receives {@link Settings}.
 */
import { resolve } from 'node:path'
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'
import { SettingsInvalidError, type SettingsProblem } from '../errors/index.js'
import { Secret } from '../secret.js'
import {
  patternHints,
  settingsSchema,
  settingVariables,
  type LogLevel,
  type SettingVariable,
} from './settings-schema.js'

/** Resolved platform settings. */
export interface Settings {
  /** `AION_HOST`. @default '127.0.0.1' */
  readonly host: string
  /** `AION_PORT`; 0 picks a free port. @default 8080 */
  readonly port: number
  /** `AION_DATA_DIR`, absolute. @default './.aion' resolved against the working directory */
  readonly dataDir: string
  /** `AION_DATABASE_URL` (PostgreSQL). @default undefined: SQLite in `dataDir` */
  readonly databaseUrl: Secret | undefined
  /** `AION_CONFIG_DIR`, absolute. @default './config' resolved against the working directory */
  readonly configDir: string
  /** `AION_LOG_LEVEL`, a pino level. @default 'info' */
  readonly logLevel: LogLevel
  /** `AION_SHUTDOWN_TIMEOUT_MS`. @default 10000 */
  readonly shutdownTimeoutMs: number
}

/** Options of {@link loadSettings}. */
export interface LoadSettingsOptions {
  /** Directory relative paths resolve against. @default process.cwd() */
  readonly cwd?: string
}

// Coercion turns the env's strings into numbers; defaults fill what is unset.
const validate = new Ajv2020({
  allErrors: true,
  strict: true,
  coerceTypes: true,
  useDefaults: true,
}).compile(settingsSchema)

const integerVariables = settingVariables.filter(
  (name) => (settingsSchema.properties[name] as { type?: string }).type === 'integer',
)

/**
 * Reads the `AION_*` variables of `env` against the settings schema. An empty
 * value counts as unset. Throws {@link SettingsInvalidError} listing every
 * problem (unknown variables included) at once.
 */
export function loadSettings(
  env: Record<string, string | undefined> = process.env,
  options: LoadSettingsOptions = {},
): Settings {
  const values: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('AION_') && value !== undefined && value !== '') values[name] = value
  }
  // Ajv would coerce "0x1F", " 8080" or "1e3" to numbers; demand plain digits first.
  const problems: SettingsProblem[] = integerVariables
    .filter((name) => typeof values[name] === 'string' && !/^[0-9]+$/.test(values[name] as string))
    .map((name) => ({ variable: name, message: 'must be a whole number written in digits' }))
  for (const problem of problems) delete values[problem.variable]
  if (!validate(values)) problems.push(...(validate.errors ?? []).map(toProblem))
  problems.push(...databaseUrlProblems(values.AION_DATABASE_URL))
  if (problems.length > 0) throw new SettingsInvalidError({ problems })
  const cwd = options.cwd ?? process.cwd()
  const url = values.AION_DATABASE_URL as string | undefined
  return {
    host: values.AION_HOST as string,
    port: values.AION_PORT as number,
    dataDir: resolve(cwd, values.AION_DATA_DIR as string),
    databaseUrl: url === undefined ? undefined : new Secret(url),
    configDir: resolve(cwd, values.AION_CONFIG_DIR as string),
    logLevel: values.AION_LOG_LEVEL as LogLevel,
    shutdownTimeoutMs: values.AION_SHUTDOWN_TIMEOUT_MS as number,
  }
}

function toProblem(error: ErrorObject): SettingsProblem {
  const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] }
  if (params.additionalProperty !== undefined) {
    const near = nearestVariable(params.additionalProperty)
    const hint = near === undefined ? '' : ` (did you mean ${near}?)`
    return { variable: params.additionalProperty, message: `is not a known setting${hint}` }
  }
  const variable = error.instancePath.slice(1)
  const hint = error.keyword === 'pattern' ? patternHints[variable as SettingVariable] : undefined
  const allowed = params.allowedValues?.join(', ')
  const message =
    hint ?? (allowed === undefined ? (error.message ?? error.keyword) : `must be one of ${allowed}`)
  return { variable, message }
}

// The value is never echoed: a database URL may hold a password.
function databaseUrlProblems(url: unknown): SettingsProblem[] {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url) || URL.canParse(url)) return []
  return [{ variable: 'AION_DATABASE_URL', message: 'is not a valid URL' }]
}

function nearestVariable(name: string): SettingVariable | undefined {
  let best: { name: SettingVariable; distance: number } | undefined
  for (const known of settingVariables) {
    const distance = editDistance(name, known)
    if (distance <= 3 && (best === undefined || distance < best.distance)) {
      best = { name: known, distance }
    }
  }
  return best?.name
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
