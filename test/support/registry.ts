/**
 * Real OCI registries for tests: Debian's `docker-registry` (distribution
 * 2.8) started on a free loopback port with its own storage directory and
 * config — open, behind Basic auth (an htpasswd file made at start with
 * `htpasswd -B`), or behind Bearer tokens from the token service of
 * registry-token.ts. Every registry started here is stopped by
 * {@link stopRegistries}.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineProbe } from './engines.js'

/** The registry binary (Debian's package puts it in /usr/bin). */
export const REGISTRY_BIN = 'docker-registry'

/** Whether docker-registry, htpasswd (apache2-utils) and openssl can run. */
export function probeRegistry(): EngineProbe<string> {
  const missing = [
    [REGISTRY_BIN, ['--version'], 'docker-registry'],
    ['htpasswd', ['-nbB', 'probe', 'probe'], 'apache2-utils'],
    ['openssl', ['version'], 'openssl'],
  ]
    .filter(([bin, args]) => spawnSync(bin as string, args as string[]).status !== 0)
    .map(([bin, , pkg]) => `${bin as string} (Debian package ${pkg as string})`)
  if (missing.length > 0) return { ok: false, reason: `not installed: ${missing.join(', ')}` }
  return { ok: true, value: REGISTRY_BIN }
}

/** How a test registry authenticates. */
export type RegistryAuthConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly users: Readonly<Record<string, string>> }
  | {
      readonly kind: 'token'
      /** The token service's `/token` URL. */
      readonly realm: string
      readonly service: string
      readonly issuer: string
      /** PEM file of the certificate that signs tokens. */
      readonly rootCertFile: string
    }

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`, as references name it. */
  readonly host: string
  readonly url: string
  /** The filesystem storage root (blobs under docker/registry/v2/blobs). */
  readonly storageDir: string
  /** The path of a blob's bytes in the storage (for tampering tests). */
  blobDataPath(digest: string): string
  /** What the registry wrote to stderr/stdout so far. */
  log(): string
  stop(): Promise<void>
}

const running = new Set<TestRegistry>()

/** A free loopback TCP port (closed again; the caller binds it next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function authSection(auth: RegistryAuthConfig, htpasswdFile: string): string {
  if (auth.kind === 'basic') {
    return `auth:\n  htpasswd:\n    realm: aion-test\n    path: ${htpasswdFile}\n`
  }
  if (auth.kind === 'token') {
    return [
      'auth:',
      '  token:',
      `    realm: ${auth.realm}`,
      `    service: ${auth.service}`,
      `    issuer: ${auth.issuer}`,
      `    rootcertbundle: ${auth.rootCertFile}`,
      '',
    ].join('\n')
  }
  return ''
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`)
    try {
      const response = await fetch(`${url}/v2/`)
      if (response.status === 200 || response.status === 401) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`docker-registry did not come up: ${log()}`)
}

/** Starts a registry on a free loopback port. */
export async function startRegistry(
  auth: RegistryAuthConfig = { kind: 'none' },
): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'aion-registry-'))
  const storageDir = join(dir, 'storage')
  const htpasswdFile = join(dir, 'htpasswd')
  if (auth.kind === 'basic') {
    const lines = Object.entries(auth.users).map(([user, password]) => {
      const made = spawnSync('htpasswd', ['-nbB', user, password], { encoding: 'utf8' })
      if (made.status !== 0) throw new Error(`htpasswd failed: ${made.stderr}`)
      return made.stdout.trim()
    })
    await writeFile(htpasswdFile, `${lines.join('\n')}\n`)
  }
  const port = await freePort()
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: aion-test-upload-secret',
    authSection(auth, htpasswdFile),
  ].join('\n')
  const configFile = join(dir, 'config.yml')
  await writeFile(configFile, config)
  const child = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const host = `127.0.0.1:${port}`
  const url = `http://${host}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const registry: TestRegistry = {
    host,
    url,
    storageDir,
    blobDataPath: (digest) => {
      const hex = digest.replace(/^sha256:/, '')
      return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')
    },
    log: () => output,
    async stop() {
      running.delete(registry)
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
  running.add(registry)
  try {
    await waitUntilUp(url, child, () => output)
  } catch (error) {
    await registry.stop()
    throw error
  }
  return registry
}

/** Stops every registry still running. */
export async function stopRegistries(): Promise<void> {
  await Promise.all([...running].map((registry) => registry.stop()))
}
