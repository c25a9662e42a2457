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
    // ── events (the outbox, and Kafka when configured) ──────────────────────
    AION_KAFKA_BROKERS: {
      description:
        'Comma-separated Kafka bootstrap brokers (host:port); set, an outbox relay publishes the event topics to them. Unset: the embedded event log only.',
      type: 'string',
      pattern: '^[A-Za-z0-9.\\-]+:[0-9]{1,5}(,[A-Za-z0-9.\\-]+:[0-9]{1,5})*$',
    },
    AION_KAFKA_TOPIC_PARTITIONS: {
      description: 'Partitions of each event topic the relay creates (existing topics are kept).',
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 3,
    },
    AION_KAFKA_REPLICATION_FACTOR: {
      description:
        "Replicas of each event topic the relay creates; unset: the broker's default.replication.factor.",
      type: 'integer',
      minimum: 1,
      maximum: 100,
    },
    AION_KAFKA_RETENTION_DAYS: {
      description:
        'retention.ms of each event topic the relay creates, in days (reference §6: 7–14 in development, 30–90 in production).',
      type: 'integer',
      minimum: 1,
      maximum: 3650,
      default: 7,
    },
    AION_KAFKA_SASL_MECHANISM: {
      description:
        'SASL mechanism the relay authenticates with; with AION_KAFKA_SASL_USERNAME and AION_KAFKA_SASL_PASSWORD. Unset: no SASL.',
      enum: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    },
    AION_KAFKA_SASL_USERNAME: {
      description: 'SASL user name of the relay.',
      type: 'string',
      minLength: 1,
    },
    AION_KAFKA_SASL_PASSWORD: {
      description: 'SASL password of the relay.',
      type: 'string',
      minLength: 1,
    },
    AION_KAFKA_TLS: {
      description:
        "Connect to the brokers over TLS, verifying their certificates (the system's CAs unless AION_KAFKA_TLS_CA_FILE).",
      type: 'boolean',
      default: false,
    },
    AION_KAFKA_TLS_CA_FILE: {
      description:
        "PEM CA bundle the brokers' certificates are verified against; implies AION_KAFKA_TLS.",
      type: 'string',
      minLength: 1,
    },
    AION_OUTBOX_RETENTION_MS: {
      description:
        'How long an event published to Kafka stays in the outbox (and GET /v1/events) before it is swept; unpublished events are never swept.',
      type: 'integer',
      minimum: 0,
      maximum: 31536000000,
      default: 86400000,
    },
    // ── aionctl (the server ignores these) ───────────────────────────────────
    AION_URL: {
      description: 'Base URL aionctl talks to; default http://AION_HOST:AION_PORT.',
      type: 'string',
      pattern: '^https?://',
    },
    AION_API_KEY: { description: 'API key (or JWT) aionctl sends.', type: 'string', minLength: 1 },
    // ── gateway ─────────────────────────────────────────────────────────────
    AION_BODY_LIMIT_BYTES: {
      description: 'Largest request body the gateway accepts; larger gets 413.',
      type: 'integer',
      minimum: 1024,
      maximum: 104857600,
      default: 1048576,
    },
    AION_JSON_MAX_DEPTH: {
      description:
        'Deepest nesting of arrays and objects a JSON body may have; deeper gets 400 before anything reads it.',
      type: 'integer',
      minimum: 8,
      maximum: 1024,
      default: 64,
    },
    AION_TRUST_PROXY: {
      description: 'Take the client address from X-Forwarded-For (only behind a trusted proxy).',
      type: 'boolean',
      default: false,
    },
    AION_TLS_CERT_FILE: {
      description: 'PEM certificate; with the key, serves HTTPS.',
      type: 'string',
      minLength: 1,
    },
    AION_TLS_KEY_FILE: {
      description: 'PEM private key of the certificate.',
      type: 'string',
      minLength: 1,
    },
    AION_TLS_CLIENT_CA_FILE: {
      description: 'PEM CA bundle; when set, clients must present a certificate it signed (mTLS).',
      type: 'string',
      minLength: 1,
    },
    AION_DEV_API_KEY: {
      description: 'On first start with no API keys, create a development key and print it.',
      type: 'boolean',
      default: true,
    },
    AION_IDEMPOTENCY_TTL_MS: {
      description:
        'How long an Idempotency-Key is remembered; a retry after that runs as a new request.',
      type: 'integer',
      minimum: 60000,
      maximum: 2592000000,
      default: 86400000,
    },
    // ── Redis (rate limits and Idempotency-Keys shared by several gateways) ─
    AION_REDIS_URL: {
      description:
        'Redis URL (redis:// or rediss:// for TLS); rate limits and Idempotency-Keys live there, shared by every gateway. Unset: in this process and the store.',
      type: 'string',
      pattern: '^rediss?://',
    },
    AION_REDIS_KEY_PREFIX: {
      description:
        'Prefix of every key the platform writes in Redis, so that several platforms (or environments) can share one Redis.',
      type: 'string',
      pattern: '^[A-Za-z0-9_.:{}-]{1,64}$',
      default: 'aion:',
    },
    AION_REDIS_FAIL_MODE: {
      description:
        "What rate limits do while Redis is unreachable: `open` limits with this process's own buckets (and logs, and counts); `closed` answers 503 AION_RATE_LIMIT_UNAVAILABLE with Retry-After.",
      enum: ['open', 'closed'],
      default: 'open',
    },
    AION_REDIS_COMMAND_TIMEOUT_MS: {
      description:
        'How long one Redis command may take before it counts as Redis being unreachable.',
      type: 'integer',
      minimum: 10,
      maximum: 60000,
      default: 500,
    },
    // ── JWT bearer tokens ───────────────────────────────────────────────────
    AION_JWT_JWKS: {
      description:
        'JWKS of the token issuer: a file path or an https:// (or loopback http://) URL. Unset: JWTs are refused.',
      type: 'string',
      minLength: 1,
    },
    AION_JWT_ISSUER: {
      description: 'Required `iss` of accepted JWTs.',
      type: 'string',
      minLength: 1,
    },
    AION_JWT_AUDIENCE: {
      description: 'Required `aud` of accepted JWTs.',
      type: 'string',
      minLength: 1,
      default: 'omertaos',
    },
    AION_JWT_ALGORITHMS: {
      description: 'Comma-separated allow-list of JWS algorithms (asymmetric only).',
      type: 'string',
      pattern:
        '^(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA)(,(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA))*$',
      default: 'RS256,ES256,EdDSA',
    },
    AION_JWT_CLOCK_TOLERANCE_S: {
      description: 'Leeway for `exp` and `nbf`, in seconds.',
      type: 'integer',
      minimum: 0,
      maximum: 300,
      default: 5,
    },
    // ── control plane ───────────────────────────────────────────────────────
    AION_QUEUE_CAPACITY: {
      description: 'Tasks waiting for a worker before submissions get 503.',
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 1000,
    },
    AION_WORKERS_LOCAL: {
      description: 'Concurrent tasks on the local route.',
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 8,
    },
    AION_WORKERS_API: {
      description: 'Concurrent tasks on the api route.',
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 64,
    },
    AION_WORKERS_HYBRID: {
      description: 'Concurrent tasks on the hybrid route.',
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 16,
    },
    AION_TASK_TIMEOUT_MS: {
      description: 'Deadline of a task when neither the request nor the module sets a shorter one.',
      type: 'integer',
      minimum: 1,
      maximum: 3600000,
      default: 60000,
    },
    AION_TASK_LEASE_MS: {
      description:
        'How long a process holds an unfinished task without renewing; another process (or a restart) takes over a task whose lease lapsed.',
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 30000,
    },
    AION_RETRY_MAX: {
      description: 'Retries of a retryable failure on one engine.',
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 2,
    },
    AION_RETRY_BASE_MS: {
      description: 'Base of the jittered exponential backoff.',
      type: 'integer',
      minimum: 1,
      maximum: 60000,
      default: 100,
    },
    AION_BREAKER_FAILURES: {
      description: 'Consecutive failures that open a provider circuit.',
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 5,
    },
    AION_BREAKER_COOLDOWN_MS: {
      description: 'How long an open circuit waits before a trial call.',
      type: 'integer',
      minimum: 1,
      maximum: 3600000,
      default: 10000,
    },
    // ── model providers (a provider is configured when its variables are set) ─
    AION_PROVIDER_TIMEOUT_MS: {
      description: 'Deadline of one provider HTTP call.',
      type: 'integer',
      minimum: 1,
      maximum: 600000,
      default: 30000,
    },
    AION_OPENAI_BASE_URL: {
      description: 'OpenAI API base URL.',
      type: 'string',
      pattern: '^https?://',
      default: 'https://api.openai.com/v1',
    },
    AION_OPENAI_API_KEY: {
      description: 'OpenAI API key; configures the openai provider.',
      type: 'string',
      minLength: 1,
    },
    AION_AZURE_ENDPOINT: {
      description: 'Azure OpenAI resource endpoint (https://<resource>.openai.azure.com).',
      type: 'string',
      pattern: '^https?://',
    },
    AION_AZURE_API_KEY: {
      description: 'Azure OpenAI key (sent as `api-key`); with the endpoint, configures azure.',
      type: 'string',
      minLength: 1,
    },
    AION_AZURE_API_VERSION: {
      description: 'Azure OpenAI `api-version`.',
      type: 'string',
      minLength: 1,
      default: '2024-10-21',
    },
    AION_VLLM_BASE_URL: {
      description: 'vLLM OpenAI-compatible base URL (…/v1); configures vllm.',
      type: 'string',
      pattern: '^https?://',
    },
    AION_VLLM_API_KEY: {
      description: 'vLLM API key, if the server wants one.',
      type: 'string',
      minLength: 1,
    },
    AION_OLLAMA_BASE_URL: {
      description:
        'Ollama OpenAI-compatible base URL (http://127.0.0.1:11434/v1); configures ollama.',
      type: 'string',
      pattern: '^https?://',
    },
    AION_HF_BASE_URL: {
      description: 'Hugging Face TGI / Inference Endpoint base URL (…/v1); configures hf.',
      type: 'string',
      pattern: '^https?://',
    },
    AION_HF_API_KEY: { description: 'Hugging Face token.', type: 'string', minLength: 1 },
    // ── egress (every outbound connection, judged by its resolved address) ──
    AION_EGRESS_ALLOW_LOOPBACK: {
      description:
        'Outbound connections may reach loopback (127.0.0.0/8, ::1); link-local, metadata and unspecified addresses never may.',
      type: 'boolean',
      default: true,
    },
    AION_EGRESS_ALLOW_PRIVATE: {
      description:
        'Outbound connections may reach private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7); those in AION_LOCAL_NETWORKS may regardless.',
      type: 'boolean',
      default: false,
    },
    AION_LOCAL_NETWORKS: {
      description:
        'Comma-separated CIDRs on the premises: a local-only model call may only connect to addresses in them.',
      type: 'string',
      pattern: '^[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*$',
      default: '127.0.0.0/8,::1/128',
    },
    // ── modules ─────────────────────────────────────────────────────────────
    AION_MODULES_DIR: {
      description:
        'Directory of installed AIP packages (one folder each) the platform loads and `aionctl modules install` fills.',
      type: 'string',
      minLength: 1,
      default: './modules',
    },
    // ── subprocess module sandbox ───────────────────────────────────────────
    AION_SANDBOX_UID: {
      description: 'User id subprocess modules run as when the platform runs as root.',
      type: 'integer',
      minimum: 1,
      maximum: 4294967294,
      default: 65534,
    },
    AION_SANDBOX_GID: {
      description: 'Group id subprocess modules run as when the platform runs as root.',
      type: 'integer',
      minimum: 1,
      maximum: 4294967294,
      default: 65534,
    },
    AION_SANDBOX_CGROUP_ROOT: {
      description:
        "cgroup (a path inside the hierarchy, e.g. /aion) under which per-call cgroups are made; unset: the platform's own.",
      type: 'string',
      pattern: '^/\\S*$',
    },
    AION_SANDBOX_ALLOW_UNSANDBOXED: {
      description:
        'Development only: when the sandbox cannot be set up, run subprocess modules without it (warned at every call).',
      type: 'boolean',
      default: false,
    },
    // ── package distribution (OCI registries, signatures) ───────────────────
    AION_REGISTRY_AUTH_FILE: {
      description:
        'Docker-style credentials file (`auths` with base64 `auth`); `~/` is the home directory. Unset: $DOCKER_CONFIG/config.json, else ~/.docker/config.json.',
      type: 'string',
      minLength: 1,
    },
    AION_REGISTRY_INSECURE: {
      description:
        'Comma-separated registries (host[:port]) reached over plain HTTP; loopback registries always may be.',
      type: 'string',
      pattern: '^[A-Za-z0-9.\\-\\[\\]:]+(,[A-Za-z0-9.\\-\\[\\]:]+)*$',
    },
    AION_REGISTRY_MAX_BLOB_BYTES: {
      description:
        'Largest blob a pull accepts; a descriptor announcing more is refused before downloading.',
      type: 'integer',
      minimum: 1024,
      maximum: 17179869184,
      default: 1073741824,
    },
    AION_REGISTRY_TIMEOUT_MS: {
      description:
        'How long a registry may stay silent (waiting for headers, or between body chunks) before the request fails as retryable.',
      type: 'integer',
      minimum: 1,
      maximum: 600000,
      default: 30000,
    },
    AION_TRUSTED_KEYS: {
      description:
        'Comma-separated PEM public keys (files) whose signatures make a package installable.',
      type: 'string',
      minLength: 1,
    },
    AION_ALLOW_UNSIGNED: {
      description:
        'Development only: install packages without a trusted signature (logged loudly at every install).',
      type: 'boolean',
      default: false,
    },
    // ── S3 object store (packages, policy versions, assets; unset: the data directory) ──
    AION_S3_ENDPOINT: {
      description:
        'http(s)://host:port of an S3-API server (MinIO, S3Proxy); unset with AION_S3_BUCKET set: AWS S3 of AION_S3_REGION.',
      type: 'string',
      pattern: '^https?://',
    },
    AION_S3_BUCKET: {
      description:
        'Bucket of the objects (each tenant under tenants/<id>/), created at start when missing; set, the S3 object store replaces the data directory.',
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
    },
    AION_S3_ACCESS_KEY_ID: {
      description:
        "Access key id of the S3 object store; unset (with the secret), the AWS SDK's default chain.",
      type: 'string',
      minLength: 1,
    },
    AION_S3_SECRET_ACCESS_KEY: {
      description: 'Secret access key paired with AION_S3_ACCESS_KEY_ID.',
      type: 'string',
      minLength: 1,
    },
    AION_S3_REGION: {
      description: 'Region the S3 object store signs for.',
      type: 'string',
      pattern: '^[a-z0-9-]+$',
      default: 'us-east-1',
    },
    AION_OBJECT_RETENTION: {
      description:
        'Comma-separated prefix=days: the platform deletes objects under the prefix once older (e.g. quarantine/=30), on either object store. Unset: nothing expires.',
      type: 'string',
      pattern: "^[A-Za-z0-9!_.*'()/-]+=[0-9]+(,[A-Za-z0-9!_.*'()/-]+=[0-9]+)*$",
    },
    AION_OBJECT_SWEEP_INTERVAL_MS: {
      description: 'Time between two sweeps of AION_OBJECT_RETENTION.',
      type: 'integer',
      minimum: 1000,
      maximum: 86400000,
      default: 3600000,
    },
  },
  patternProperties: {
    '^AION_REGISTRY_[A-Z0-9]+_(HOST|USERNAME|PASSWORD)$': {
      description:
        'Credentials for one registry: AION_REGISTRY_<ID>_HOST (host[:port]), _USERNAME and _PASSWORD, all three together.',
      type: 'string',
      minLength: 1,
    },
    '^AION_MODULE_SECRET_[A-Z][A-Z0-9_]{0,127}$': {
      description:
        'A secret modules may declare in permissions.secrets (the name after the prefix).',
      type: 'string',
      minLength: 1,
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
  AION_REDIS_URL:
    'must start with redis:// or rediss:// (leave it unset to keep rate limits and keys in process)',
  AION_REDIS_KEY_PREFIX: 'must be 1 to 64 letters, digits or _ . : { } -',
  AION_REGISTRY_INSECURE: 'must be comma-separated host[:port] names without spaces or schemes',
  AION_KAFKA_BROKERS: 'must be comma-separated host:port pairs without spaces or schemes',
  AION_LOCAL_NETWORKS: 'must be comma-separated CIDRs (10.0.0.0/8, fd00::/8) without spaces',
  AION_S3_ENDPOINT: 'must start with http:// or https://',
  AION_S3_BUCKET:
    'must be an S3 bucket name: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit',
  AION_S3_REGION: 'must be a region name of a-z 0-9 - (us-east-1)',
  AION_OBJECT_RETENTION:
    'must be comma-separated prefix=days pairs of object-key characters, without spaces (quarantine/=30)',
}
