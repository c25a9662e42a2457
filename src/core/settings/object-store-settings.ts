/**
 * The `s3` section of the settings: where objects live when they do not live
 * in the data directory. `AION_S3_BUCKET` picks the S3 object store (on AWS
 * S3 of `AION_S3_REGION`, or on the S3-API server `AION_S3_ENDPOINT` names);
 * with every `AION_S3_*` unset the local directory store stays. Parsed from
 * values the settings schema has already checked; {@link loadSettings} calls it.
 */
import type { SettingsProblem } from '../errors/index.js'
import { Secret } from '../secret.js'

/** The S3 object store's settings. */
export interface S3Settings {
  /** `AION_S3_ENDPOINT`: `http(s)://host:port` of an S3-API server. @default undefined: AWS S3 of `region` */
  readonly endpoint: string | undefined
  /** `AION_S3_BUCKET`: the one bucket; tenants get prefixes in it (created at start when missing). */
  readonly bucket: string
  /** `AION_S3_REGION`. @default 'us-east-1' */
  readonly region: string
  /** `AION_S3_ACCESS_KEY_ID` + `AION_S3_SECRET_ACCESS_KEY`. @default undefined: the AWS SDK's default chain */
  readonly credentials:
    { readonly accessKeyId: string; readonly secretAccessKey: Secret } | undefined
}

/** `AION_OBJECT_RETENTION` + `AION_OBJECT_SWEEP_INTERVAL_MS`: expiry by the platform's sweeper. */
export interface ObjectRetentionSettings {
  /** Objects under `prefix` are deleted once older than `maxAgeMs`. @default [] (nothing expires) */
  readonly rules: readonly { readonly prefix: string; readonly maxAgeMs: number }[]
  /** `AION_OBJECT_SWEEP_INTERVAL_MS`. @default 3600000 */
  readonly sweepIntervalMs: number
}

type Values = Record<string, unknown>

const DAY_MS = 86_400_000

/** The retention rules of `values`, and their problems (a day count of 0, a prefix twice). */
export function objectRetentionSettings(values: Values): {
  settings: ObjectRetentionSettings
  problems: SettingsProblem[]
} {
  const variable = 'AION_OBJECT_RETENTION'
  const text = str(values, variable)
  const rules: { prefix: string; maxAgeMs: number }[] = []
  const problems: SettingsProblem[] = []
  for (const pair of text === undefined ? [] : text.split(',')) {
    const at = pair.lastIndexOf('=')
    const prefix = pair.slice(0, at)
    const days = Number(pair.slice(at + 1))
    const invalid = prefixProblem(prefix)
    if (invalid !== undefined) {
      problems.push({ variable, message: `prefix ${prefix} ${invalid}` })
    } else if (!(days >= 1)) {
      problems.push({ variable, message: `${prefix} keeps objects 0 days: write 1 or more` })
    } else if (rules.some((rule) => rule.prefix === prefix)) {
      problems.push({ variable, message: `${prefix} is listed twice` })
    } else {
      rules.push({ prefix, maxAgeMs: days * DAY_MS })
    }
  }
  const sweepIntervalMs = values.AION_OBJECT_SWEEP_INTERVAL_MS as number
  return { settings: { rules, sweepIntervalMs }, problems }
}

const str = (values: Values, name: string) =>
  typeof values[name] === 'string' ? (values[name] as string) : undefined

/** The S3 settings of `values` (undefined: the local directory store), and their problems. */
export function s3Settings(values: Values): {
  settings: S3Settings | undefined
  problems: SettingsProblem[]
} {
  const endpoint = str(values, 'AION_S3_ENDPOINT')
  const bucket = str(values, 'AION_S3_BUCKET')
  const accessKeyId = str(values, 'AION_S3_ACCESS_KEY_ID')
  const secretAccessKey = str(values, 'AION_S3_SECRET_ACCESS_KEY')
  const problems: SettingsProblem[] = [...endpointProblems(endpoint)]
  const needBucket = [
    ['AION_S3_ENDPOINT', endpoint],
    ['AION_S3_ACCESS_KEY_ID', accessKeyId],
    ['AION_S3_SECRET_ACCESS_KEY', secretAccessKey],
  ]
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name)
  if (bucket === undefined && needBucket.length > 0) {
    problems.push({
      variable: 'AION_S3_BUCKET',
      message: `must be set when ${needBucket.join(', ')} ${needBucket.length === 1 ? 'is' : 'are'} (the S3 object store needs a bucket; unset them all for the local directory store)`,
    })
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const [missing, present] =
      accessKeyId === undefined
        ? ['AION_S3_ACCESS_KEY_ID', 'AION_S3_SECRET_ACCESS_KEY']
        : ['AION_S3_SECRET_ACCESS_KEY', 'AION_S3_ACCESS_KEY_ID']
    problems.push({ variable: missing, message: `must be set together with ${present}` })
  }
  if (problems.length > 0 || bucket === undefined) return { settings: undefined, problems }
  return {
    settings: {
      endpoint: endpoint?.replace(/\/+$/, ''),
      bucket,
      region: str(values, 'AION_S3_REGION') ?? 'us-east-1',
      credentials:
        accessKeyId !== undefined && secretAccessKey !== undefined
          ? { accessKeyId, secretAccessKey: new Secret(secretAccessKey) }
          : undefined,
    },
    problems,
  }
}

// The endpoint is logged and sent on every call: credentials belong in the
// key variables (the value is never echoed).
function endpointProblems(endpoint: string | undefined): SettingsProblem[] {
  if (endpoint === undefined || !/^https?:\/\//.test(endpoint)) return []
  const variable = 'AION_S3_ENDPOINT'
  if (!URL.canParse(endpoint)) return [{ variable, message: 'is not a valid URL' }]
  const url = new URL(endpoint)
  if (url.username !== '' || url.password !== '') {
    return [
      {
        variable,
        message:
          'must not carry credentials (user:password@host): put them in AION_S3_ACCESS_KEY_ID and AION_S3_SECRET_ACCESS_KEY',
      },
    ]
  }
  if (url.search !== '' || url.hash !== '' || !['', '/'].includes(url.pathname)) {
    return [
      { variable, message: 'must be scheme://host[:port] only (the bucket is AION_S3_BUCKET)' },
    ]
  }
  return []
}

/** Why no object key could start with `prefix` (the storage room's key rules), if so. */
function prefixProblem(prefix: string): string | undefined {
  const segments = prefix.split('/')
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return 'has a . or .. segment'
  }
  // A trailing / leaves one empty segment, a folder; any other is a leading or double /.
  if (segments.slice(0, -1).some((segment) => segment === '')) return 'has an empty segment'
  return undefined
}
