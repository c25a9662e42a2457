/**
 * The one schema of platform settings: every environment variable the
 * platform reads, its type and its default. Adding a setting means adding it
 * here (and to {@link Settings}); any other `AION_*` variable is reported as
 * unknown, so a typo never silently falls back to a default.
 */

/** pino log levels. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** A pino log level. */
export type LogLevel = (typeof logLevels)[number]

/** JSON Schema of the `AION_*` environment variables (values as Ajv sees them after coercion). */
export const settingsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'PlatformSettings',
  type: 'object',
  additionalProperties: false,
  properties: {
    AION_HOST: {
      description: 'Address the server listens on.',
      type: 'string',
      pattern: '^\\S+$',
      default: '127.0.0.1',
    },
    AION_PORT: {
      description: 'Port the server listens on; 0 picks a free one (tests).',
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      default: 8080,
    },
    AION_DATA_DIR: {
      description: 'Directory of embedded state (the SQLite file, objects, vectors).',
      type: 'string',
      minLength: 1,
      default: './.aion',
    },
    AION_DATABASE_URL: {
      description: 'PostgreSQL URL; unset means SQLite in the data directory.',
      type: 'string',
      pattern: '^postgres(ql)?://',
    },
    AION_CONFIG_DIR: {
      description:
        'Directory of the registry files (intents.yml, policies.yml, models.yml, modules.yml).',
      type: 'string',
      minLength: 1,
      default: './config',
    },
    AION_LOG_LEVEL: {
      description: 'Lowest log level written.',
      enum: logLevels,
      default: 'info',
    },
    AION_SHUTDOWN_TIMEOUT_MS: {
      description: 'Time in-flight work gets to finish on SIGTERM/SIGINT, in milliseconds.',
      type: 'integer',
      minimum: 0,
      maximum: 600000,
      default: 10000,
    },
  },
} as const

/** The names of every known setting. */
export type SettingVariable = keyof typeof settingsSchema.properties

/** The known variables, for typo suggestions. */
export const settingVariables = Object.keys(settingsSchema.properties) as SettingVariable[]

/** Messages that say more than Ajv's for a failed `pattern`. */
export const patternHints: Partial<Record<SettingVariable, string>> = {
  AION_HOST: 'must be a host name or address without spaces',
  AION_DATABASE_URL:
    'must start with postgres:// or postgresql:// (leave it unset for SQLite in the data directory)',
}
