/**
 * Platform settings, parsed once at startup from the environment. This is the
 * only place that reads `process.env`; everything else receives {@link Settings}.
 */
import { resolve } from 'node:path'
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'
import { SettingsInvalidError, type SettingsProblem } from '../errors/index.js'
import { invalidCidrs } from '../egress/network-list.js'
import { Secret } from '../secret.js'
import { distributionSettings, type DistributionSettings } from './distribution-settings.js'
import type { EgressSettings } from './egress-settings.js'
import { eventSettings, type EventSettings } from './event-settings.js'
import {
  objectRetentionSettings,
  s3Settings,
  type ObjectRetentionSettings,
  type S3Settings,
} from './object-store-settings.js'
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
  readonly gateway: GatewaySettings
  readonly jwt: JwtSettings | undefined
  /** `AION_REDIS_URL` and its companions. @default undefined: rate limits in process, keys in the store */
  readonly redis: RedisSettings | undefined
  readonly control: ControlSettings
  readonly providers: ProviderSettings
  /** What aionctl uses to reach a running platform. */
  readonly client: ClientSettings
  readonly modules: ModuleSettings
  /** Package distribution: OCI registries and signatures. */
  readonly distribution: DistributionSettings
  /** Where outbound connections may go. */
  readonly egress: EgressSettings
  /** `AION_S3_*`: the S3 object store. @default undefined: objects in `dataDir/objects` */
  readonly s3: S3Settings | undefined
  /** `AION_OBJECT_RETENTION` + `AION_OBJECT_SWEEP_INTERVAL_MS`. @default no rules, hourly */
  readonly objectRetention: ObjectRetentionSettings
  /** The event log: the outbox, and the Kafka relay when configured. */
  readonly events: EventSettings
}

/** AIP modules: the subprocess sandbox and the secrets modules may declare. */
export interface ModuleSettings {
  /** `AION_MODULES_DIR`, absolute. @default './modules' resolved against the working directory */
  readonly packagesDir: string
  /** `AION_SANDBOX_UID` + `AION_SANDBOX_GID`. @default { uid: 65534, gid: 65534 } */
  readonly sandboxUser: { readonly uid: number; readonly gid: number }
  /** `AION_SANDBOX_CGROUP_ROOT`. @default undefined: the platform's own cgroup */
  readonly sandboxCgroupRoot: string | undefined
  /** `AION_SANDBOX_ALLOW_UNSANDBOXED` (development only). @default false */
  readonly allowUnsandboxed: boolean
  /** `AION_MODULE_SECRET_<NAME>`, by `<NAME>`. @default empty */
  readonly secrets: ReadonlyMap<string, Secret>
}

/** aionctl's view of the platform. */
export interface ClientSettings {
  /** `AION_URL`. @default `http://${host}:${port}` */
  readonly url: string
  /** `AION_API_KEY`. @default undefined */
  readonly apiKey: Secret | undefined
}

/** The HTTP edge. */
export interface GatewaySettings {
  /** `AION_BODY_LIMIT_BYTES`. @default 1048576 */
  readonly bodyLimitBytes: number
  /** `AION_JSON_MAX_DEPTH`: deepest nesting of a JSON body. @default 64 */
  readonly jsonMaxDepth: number
  /** `AION_TRUST_PROXY`. @default false */
  readonly trustProxy: boolean
  /** `AION_TLS_CERT_FILE` + `AION_TLS_KEY_FILE` (+ `AION_TLS_CLIENT_CA_FILE` for mTLS). @default undefined: plain HTTP */
  readonly tls:
    | { readonly certFile: string; readonly keyFile: string; readonly clientCaFile?: string }
    | undefined
  /** `AION_DEV_API_KEY`. @default true */
  readonly devApiKey: boolean
  /** `AION_IDEMPOTENCY_TTL_MS`: how long an `Idempotency-Key` is remembered. @default 86400000 */
  readonly idempotencyTtlMs: number
}

/** Redis, shared by every gateway; undefined when `AION_REDIS_URL` is unset. */
export interface RedisSettings {
  /** `AION_REDIS_URL` (it may hold a password). */
  readonly url: Secret
  /** `AION_REDIS_KEY_PREFIX`: the start of every key. @default 'aion:' */
  readonly keyPrefix: string
  /**
   * `AION_REDIS_FAIL_MODE`: rate limits while Redis is unreachable. `open`
   * limits with this process's own buckets; `closed` refuses with 503.
   * @default 'open'
   */
  readonly failMode: 'open' | 'closed'
  /** `AION_REDIS_COMMAND_TIMEOUT_MS`. @default 500 */
  readonly commandTimeoutMs: number
}

/** JWT bearer tokens; undefined when `AION_JWT_JWKS` is unset (JWTs refused). */
export interface JwtSettings {
  /** `AION_JWT_JWKS`: an absolute file path or a URL. */
  readonly jwks: string
  /** `AION_JWT_ISSUER`. @default undefined: any issuer */
  readonly issuer: string | undefined
  /** `AION_JWT_AUDIENCE`. @default 'omertaos' */
  readonly audience: string
  /** `AION_JWT_ALGORITHMS`. @default ['RS256', 'ES256', 'EdDSA'] */
  readonly algorithms: readonly string[]
  /** `AION_JWT_CLOCK_TOLERANCE_S`. @default 5 */
  readonly clockToleranceSeconds: number
}

/** Queue, workers, retries and breakers. */
export interface ControlSettings {
  /** `AION_QUEUE_CAPACITY`. @default 1000 */
  readonly queueCapacity: number
  /** `AION_WORKERS_LOCAL|API|HYBRID`. @default 8, 64, 16 */
  readonly workers: { readonly local: number; readonly api: number; readonly hybrid: number }
  /** `AION_TASK_TIMEOUT_MS`. @default 60000 */
  readonly taskTimeoutMs: number
  /** `AION_TASK_LEASE_MS`: how long a process holds an unfinished task unrenewed. @default 30000 */
  readonly taskLeaseMs: number
  /** `AION_RETRY_MAX`. @default 2 */
  readonly retryMax: number
  /** `AION_RETRY_BASE_MS`. @default 100 */
  readonly retryBaseMs: number
  /** `AION_BREAKER_FAILURES`. @default 5 */
  readonly breakerFailures: number
  /** `AION_BREAKER_COOLDOWN_MS`. @default 10000 */
  readonly breakerCooldownMs: number
}

/** One configured provider endpoint. */
export interface ProviderEndpoint {
  readonly baseUrl: string
  readonly apiKey: Secret | undefined
}

/** Model providers; a provider is present only when configured. */
export interface ProviderSettings {
  /** `AION_PROVIDER_TIMEOUT_MS`. @default 30000 */
  readonly timeoutMs: number
  /** `AION_OPENAI_API_KEY` (+ `AION_OPENAI_BASE_URL`, default https://api.openai.com/v1). */
  readonly openai: ProviderEndpoint | undefined
  /** `AION_AZURE_ENDPOINT` + `AION_AZURE_API_KEY` (+ `AION_AZURE_API_VERSION`, default 2024-10-21). */
  readonly azure: (ProviderEndpoint & { readonly apiVersion: string }) | undefined
  /** `AION_VLLM_BASE_URL` (+ `AION_VLLM_API_KEY`). */
  readonly vllm: ProviderEndpoint | undefined
  /** `AION_OLLAMA_BASE_URL`. */
  readonly ollama: ProviderEndpoint | undefined
  /** `AION_HF_BASE_URL` + `AION_HF_API_KEY`. */
  readonly hf: ProviderEndpoint | undefined
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

const testVariablePrefix = 'AION_TEST_'

const integerVariables = settingVariables.filter(
  (name) => (settingsSchema.properties[name] as { type?: string }).type === 'integer',
)

/**
 * Reads the `AION_*` variables of `env` against the settings schema. An empty
 * value counts as unset. Throws {@link SettingsInvalidError} listing every
 * problem (unknown variables included) at once. `AION_TEST_*` belongs to the
 * test suites (engines they reuse, e.g. `AION_TEST_KAFKA_BROKERS`, which CI
 * exports to every process it starts): never a setting, never an error.
 */
export function loadSettings(
  env: Record<string, string | undefined> = process.env,
  options: LoadSettingsOptions = {},
): Settings {
  const values: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('AION_') || name.startsWith(testVariablePrefix)) continue
    if (value !== undefined && value !== '') values[name] = value
  }
  // Ajv would coerce "0x1F", " 8080" or "1e3" to numbers; demand plain digits first.
  const problems: SettingsProblem[] = integerVariables
    .filter((name) => typeof values[name] === 'string' && !/^[0-9]+$/.test(values[name] as string))
    .map((name) => ({ variable: name, message: 'must be a whole number written in digits' }))
  for (const problem of problems) delete values[problem.variable]
  if (!validate(values)) problems.push(...(validate.errors ?? []).map(toProblem))
  problems.push(...databaseUrlProblems(values.AION_DATABASE_URL))
  problems.push(...redisUrlProblems(values.AION_REDIS_URL))
  problems.push(...localNetworkProblems(values.AION_LOCAL_NETWORKS))
  problems.push(...providerUrlProblems(values))
  const cwd = options.cwd ?? process.cwd()
  const distribution = distributionSettings(values, env, cwd)
  problems.push(...distribution.problems)
  const s3 = s3Settings(values)
  problems.push(...s3.problems)
  const objectRetention = objectRetentionSettings(values)
  problems.push(...objectRetention.problems)
  const events = eventSettings(values, cwd)
  problems.push(...events.problems)
  if (problems.length > 0) throw new SettingsInvalidError({ problems })
  const url = values.AION_DATABASE_URL as string | undefined
  const egress: EgressSettings = {
    allowLoopback: values.AION_EGRESS_ALLOW_LOOPBACK as boolean,
    allowPrivate: values.AION_EGRESS_ALLOW_PRIVATE as boolean,
    localNetworks: String(values.AION_LOCAL_NETWORKS).split(','),
  }
  return {
    host: values.AION_HOST as string,
    port: values.AION_PORT as number,
    dataDir: resolve(cwd, values.AION_DATA_DIR as string),
    databaseUrl: url === undefined ? undefined : new Secret(url),
    configDir: resolve(cwd, values.AION_CONFIG_DIR as string),
    logLevel: values.AION_LOG_LEVEL as LogLevel,
    shutdownTimeoutMs: values.AION_SHUTDOWN_TIMEOUT_MS as number,
    gateway: gatewaySettings(values, cwd),
    jwt: jwtSettings(values, cwd),
    redis: redisSettings(values),
    control: controlSettings(values),
    providers: providerSettings(values),
    client: {
      url:
        str(values, 'AION_URL') ??
        `http://${String(values.AION_HOST).includes(':') ? `[${String(values.AION_HOST)}]` : String(values.AION_HOST)}:${String(values.AION_PORT)}`,
      apiKey: secret(values, 'AION_API_KEY'),
    },
    modules: moduleSettings(values, cwd),
    // Registries are outbound connections too: every OCI client built from this section is guarded.
    distribution: { ...distribution.settings, egress },
    egress,
    s3: s3.settings,
    objectRetention: objectRetention.settings,
    events: events.settings,
  }
}

type Values = Record<string, unknown>
const str = (values: Values, name: SettingVariable) => values[name] as string | undefined
const num = (values: Values, name: SettingVariable) => values[name] as number
const secret = (values: Values, name: SettingVariable) => {
  const value = str(values, name)
  return value === undefined ? undefined : new Secret(value)
}

function gatewaySettings(values: Values, cwd: string): GatewaySettings {
  const certFile = str(values, 'AION_TLS_CERT_FILE')
  const keyFile = str(values, 'AION_TLS_KEY_FILE')
  const clientCaFile = str(values, 'AION_TLS_CLIENT_CA_FILE')
  const tls =
    certFile && keyFile
      ? {
          certFile: resolve(cwd, certFile),
          keyFile: resolve(cwd, keyFile),
          ...(clientCaFile ? { clientCaFile: resolve(cwd, clientCaFile) } : {}),
        }
      : undefined
  return {
    bodyLimitBytes: num(values, 'AION_BODY_LIMIT_BYTES'),
    jsonMaxDepth: num(values, 'AION_JSON_MAX_DEPTH'),
    trustProxy: values.AION_TRUST_PROXY as boolean,
    tls,
    devApiKey: values.AION_DEV_API_KEY as boolean,
    idempotencyTtlMs: num(values, 'AION_IDEMPOTENCY_TTL_MS'),
  }
}

function jwtSettings(values: Values, cwd: string): JwtSettings | undefined {
  const jwks = str(values, 'AION_JWT_JWKS')
  if (jwks === undefined) return undefined
  return {
    jwks: /^https?:\/\//.test(jwks) ? jwks : resolve(cwd, jwks),
    issuer: str(values, 'AION_JWT_ISSUER'),
    audience: str(values, 'AION_JWT_AUDIENCE') as string,
    algorithms: (str(values, 'AION_JWT_ALGORITHMS') as string).split(','),
    clockToleranceSeconds: num(values, 'AION_JWT_CLOCK_TOLERANCE_S'),
  }
}

function redisSettings(values: Values): RedisSettings | undefined {
  const url = secret(values, 'AION_REDIS_URL')
  if (url === undefined) return undefined
  return {
    url,
    keyPrefix: str(values, 'AION_REDIS_KEY_PREFIX') as string,
    failMode: values.AION_REDIS_FAIL_MODE as 'open' | 'closed',
    commandTimeoutMs: num(values, 'AION_REDIS_COMMAND_TIMEOUT_MS'),
  }
}

function controlSettings(values: Values): ControlSettings {
  return {
    queueCapacity: num(values, 'AION_QUEUE_CAPACITY'),
    workers: {
      local: num(values, 'AION_WORKERS_LOCAL'),
      api: num(values, 'AION_WORKERS_API'),
      hybrid: num(values, 'AION_WORKERS_HYBRID'),
    },
    taskTimeoutMs: num(values, 'AION_TASK_TIMEOUT_MS'),
    taskLeaseMs: num(values, 'AION_TASK_LEASE_MS'),
    retryMax: num(values, 'AION_RETRY_MAX'),
    retryBaseMs: num(values, 'AION_RETRY_BASE_MS'),
    breakerFailures: num(values, 'AION_BREAKER_FAILURES'),
    breakerCooldownMs: num(values, 'AION_BREAKER_COOLDOWN_MS'),
  }
}

function providerSettings(values: Values): ProviderSettings {
  const endpoint = (baseUrl: string | undefined, apiKey: SettingVariable | undefined) =>
    baseUrl === undefined
      ? undefined
      : { baseUrl, apiKey: apiKey === undefined ? undefined : secret(values, apiKey) }
  const openaiKey = secret(values, 'AION_OPENAI_API_KEY')
  const azureEndpoint = str(values, 'AION_AZURE_ENDPOINT')
  const azureKey = secret(values, 'AION_AZURE_API_KEY')
  const hfBase = str(values, 'AION_HF_BASE_URL')
  return {
    timeoutMs: num(values, 'AION_PROVIDER_TIMEOUT_MS'),
    openai: openaiKey && {
      baseUrl: str(values, 'AION_OPENAI_BASE_URL') as string,
      apiKey: openaiKey,
    },
    azure:
      azureEndpoint && azureKey
        ? {
            baseUrl: azureEndpoint,
            apiKey: azureKey,
            apiVersion: str(values, 'AION_AZURE_API_VERSION') as string,
          }
        : undefined,
    vllm: endpoint(str(values, 'AION_VLLM_BASE_URL'), 'AION_VLLM_API_KEY'),
    ollama: endpoint(str(values, 'AION_OLLAMA_BASE_URL'), undefined),
    hf: hfBase === undefined ? undefined : endpoint(hfBase, 'AION_HF_API_KEY'),
  }
}

const MODULE_SECRET_PREFIX = 'AION_MODULE_SECRET_'

function moduleSettings(values: Values, cwd: string): ModuleSettings {
  const secrets = new Map<string, Secret>()
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith(MODULE_SECRET_PREFIX)) {
      secrets.set(name.slice(MODULE_SECRET_PREFIX.length), new Secret(value as string))
    }
  }
  return {
    packagesDir: resolve(cwd, values.AION_MODULES_DIR as string),
    sandboxUser: { uid: num(values, 'AION_SANDBOX_UID'), gid: num(values, 'AION_SANDBOX_GID') },
    sandboxCgroupRoot: str(values, 'AION_SANDBOX_CGROUP_ROOT'),
    allowUnsandboxed: values.AION_SANDBOX_ALLOW_UNSANDBOXED as boolean,
    secrets,
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

// The value is never echoed: a Redis URL may hold a password.
function redisUrlProblems(url: unknown): SettingsProblem[] {
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url) || URL.canParse(url)) return []
  return [{ variable: 'AION_REDIS_URL', message: 'is not a valid URL' }]
}

function localNetworkProblems(value: unknown): SettingsProblem[] {
  if (typeof value !== 'string') return []
  const invalid = invalidCidrs(value.split(','))
  if (invalid.length === 0) return []
  return [{ variable: 'AION_LOCAL_NETWORKS', message: `${invalid.join(', ')} is not a CIDR` }]
}

/** Where each provider's key goes instead of its URL. */
const providerUrlKeys: Readonly<Partial<Record<SettingVariable, SettingVariable>>> = {
  AION_OPENAI_BASE_URL: 'AION_OPENAI_API_KEY',
  AION_AZURE_ENDPOINT: 'AION_AZURE_API_KEY',
  AION_VLLM_BASE_URL: 'AION_VLLM_API_KEY',
  AION_OLLAMA_BASE_URL: 'AION_OLLAMA_BASE_URL',
  AION_HF_BASE_URL: 'AION_HF_API_KEY',
}

// A provider URL is sent on every call and logged; credentials in it would leak
// (the value is never echoed). The provider client refuses them too.
function providerUrlProblems(values: Values): SettingsProblem[] {
  const problems: SettingsProblem[] = []
  for (const [variable, keyVariable] of Object.entries(providerUrlKeys)) {
    const text = values[variable]
    if (typeof text !== 'string' || !/^https?:\/\//.test(text)) continue
    const url = URL.canParse(text) ? new URL(text) : undefined
    if (url === undefined) {
      problems.push({ variable, message: 'is not a valid URL' })
    } else if (url.username !== '' || url.password !== '') {
      const where =
        keyVariable === variable ? 'this provider takes no key' : `put the key in ${keyVariable}`
      problems.push({
        variable,
        message: `must not carry credentials (user:password@host): ${where}`,
      })
    } else if (url.search !== '' || url.hash !== '') {
      problems.push({ variable, message: 'must not carry a query or a fragment' })
    }
  }
  return problems
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
