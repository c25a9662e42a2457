// Lint rules, including the one that keeps the architecture honest: a room of
// DESIGN.md may import only the rooms below it (see `rooms` below).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { importX } from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'

/** Each room and the rooms it may import. `contracts` is the floor everyone stands on. */
export const rooms = {
  contracts: [],
  core: ['contracts'],
  storage: ['contracts', 'core'],
  providers: ['contracts', 'core'],
  // Module execution only: executors, sandboxes, device placement.
  runtime: ['contracts', 'core'],
  // Packages and their supply chain: the AIP reader, OCI, signatures, SBOMs, installs.
  distribution: ['contracts', 'core', 'storage', 'runtime'],
  control: ['contracts', 'core', 'storage', 'providers', 'runtime'],
  gateway: ['contracts', 'core', 'control'],
  // cli drives migrations and keys on the store directly, so it may also reach storage.
  cli: ['contracts', 'core', 'storage', 'runtime', 'distribution', 'sdk'],
  sdk: ['contracts'],
  server: [
    'contracts',
    'core',
    'storage',
    'providers',
    'runtime',
    'distribution',
    'control',
    'gateway',
  ],
}

const roomPath = (room) => (room === 'contracts' ? './contracts' : `./src/${room}`)

const zonesOf = (allowedBy) =>
  Object.entries(allowedBy).flatMap(([room, allowed]) =>
    Object.keys(allowedBy)
      .filter((other) => other !== room && !allowed.includes(other))
      .map((other) => ({
        target: roomPath(room),
        from: roomPath(other),
        message: `the ${room} room may not import ${other} (imports point down only; see DESIGN.md)`,
      })),
  )

export const roomZones = zonesOf(rooms)

/**
 * Tests and fixtures compose what they test: runtime and control tests build
 * their executors from real packages, read by the distribution room's reader.
 */
export const testRoomZones = zonesOf({
  ...rooms,
  runtime: [...rooms.runtime, 'distribution'],
  control: [...rooms.control, 'distribution'],
})

/** Database drivers stay inside their adapter folder. */
const driverRule = (allowedDriver) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'pg', message: 'import pg only inside src/storage/postgres' },
        { name: 'better-sqlite3', message: 'import better-sqlite3 only inside src/storage/sqlite' },
        {
          name: '@aws-sdk/client-s3',
          message: 'import @aws-sdk/client-s3 only inside src/storage/s3',
        },
        { name: 'ioredis', message: 'import ioredis only inside src/storage/redis' },
      ].filter((p) => p.name !== allowedDriver),
    },
  ],
})

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.aion/**',
      'coverage/**',
      'test/fixtures/**',
      '.scratch/**',
      '.ci-work/**',
      '.bench-work/**',
      'modules/*/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: roomZones }],
      // An import the resolver cannot follow would slip past the room rule; refuse it.
      'import-x/no-unresolved': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.test.ts', 'src/**/*.fixture.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: testRoomZones }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/storage/postgres/**',
      'src/storage/sqlite/**',
      'src/storage/s3/**',
      'src/storage/redis/**',
    ],
    rules: driverRule(null),
  },
  { files: ['src/storage/postgres/**/*.ts'], rules: driverRule('pg') },
  { files: ['src/storage/sqlite/**/*.ts'], rules: driverRule('better-sqlite3') },
  { files: ['src/storage/s3/**/*.ts'], rules: driverRule('@aws-sdk/client-s3') },
  { files: ['src/storage/redis/**/*.ts'], rules: driverRule('ioredis') },
)
