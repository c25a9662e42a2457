/**
 * Signed package distribution end to end, against a real registry (Debian's
 * docker-registry) and the whole platform: `aionctl keygen` → `pack` → `push`
 * → `sign` → `aionctl install` → the platform serves the package on
 * `POST /v1/tasks`; another package installed through the admin API serves
 * without a restart. An unsigned package, a tampered layer, a signature by an
 * untrusted key and a valid signature over another digest are each
 * quarantined with their code, listed by `aionctl modules quarantine` and the
 * admin API, and never run. A registry answering 500 fails retryably (503)
 * with nothing half-installed.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse, stringify } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  anonymous,
  OciClient,
  type OciReference,
  packPackage,
  parseReference,
  pushPackage,
  withTag,
} from '../../src/distribution/oci/index.js'
import {
  keyIdOf,
  readCosignPrivateKey,
  signArtifact,
  signatureTag,
} from '../../src/distribution/signing/index.js'
import { mintApiKey } from '../../src/core/auth/index.js'
import { describeWithEngine } from '../support/engines.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from '../support/registry.js'
import { aionctl, aionctlAsync } from '../support/server-process.js'

const PASSWORD = 'e2e-install-password'
const TEXT =
  'Signed packages travel through registries. The platform verifies every digest. ' +
  'A quarantined package never runs.'
/** Packages made from summarize_text under other names, each serving an intent of its name. */
const NAMES = {
  cli: 'echo_words',
  api: 'shout_words',
  unsigned: 'unsigned_words',
  tampered: 'tampered_words',
  untrusted: 'stranger_words',
  moved: 'moved_words',
  outage: 'outage_words',
} as const

describeWithEngine('docker-registry', probeRegistry(), () => {
  let registry: TestRegistry
  let client: OciClient
  let work: string
  let packages: string
  let env: Record<string, string>
  let platform: TestPlatform
  const refs = {} as Record<keyof typeof NAMES, OciReference>
  const digests = {} as Record<keyof typeof NAMES, string>
  const run = (args: string[]) => aionctl(args, { ...env, COSIGN_PASSWORD: PASSWORD })
  const runAsync = (args: string[]) => aionctlAsync(args, env)
  const text = (ref: OciReference) => `${ref.registry}/${ref.repository}:${ref.tag ?? ''}`

  /** A copy of summarize_text named `name`, serving intent `name`. */
  async function packageNamed(name: string): Promise<string> {
    const dir = join(work, 'src', name)
    await mkdir(dir, { recursive: true })
    for (const part of ['schemas', 'build']) {
      await cp(resolve('modules/summarize_text', part), join(dir, part), { recursive: true })
    }
    const manifest = await readFile(resolve('modules/summarize_text/aip.yaml'), 'utf8')
    await writeFile(
      join(dir, 'aip.yaml'),
      manifest.replace('name: summarize_text', `name: ${name}`).replace('[summarize]', `[${name}]`),
    )
    return dir
  }

  /** The test's config: the shipped one plus an intent and a modules.yml entry per package. */
  async function writeConfig(configDir: string): Promise<void> {
    await cp('config', configDir, { recursive: true })
    const intents = parse(await readFile(join(configDir, 'intents.yml'), 'utf8')) as Record<
      string,
      unknown
    >
    const modules = parse(await readFile(join(configDir, 'modules.yml'), 'utf8')) as {
      modules: unknown[]
    }
    for (const name of Object.values(NAMES)) {
      intents[name] = {
        description: `Summary by the installed ${name} package.`,
        default_route: 'local',
        candidates: ['local'],
        privacy: 'local-only',
        tiers_allowed: [],
        vector_usage: false,
        input_schema: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: { text: { type: 'string' }, max_sentences: { type: 'integer' } },
        },
      }
      modules.modules.push({
        name,
        description: `summarize_text installed as ${name}.`,
        ref: `${registry.host}/aion/${name}:1.3.0`,
        runtime: 'wasm',
        signatures: ['cosign:e2e'],
        timeout_ms: 1500,
        limits: { cpu: '0.5', memory: '64Mi' },
        intents: [name],
      })
    }
    await writeFile(join(configDir, 'intents.yml'), stringify(intents))
    await writeFile(join(configDir, 'modules.yml'), stringify(modules))
  }

  async function pushNamed(key: keyof typeof NAMES): Promise<void> {
    const ref = parseReference(`${registry.host}/aion/${NAMES[key]}:1.3.0`)
    const pushed = await pushPackage(client, ref, await packPackage(await packageNamed(NAMES[key])))
    refs[key] = ref
    digests[key] = pushed.descriptor.digest
  }

  const task = (name: string) =>
    platform.submit(
      { intent: name, input: { text: TEXT, max_sentences: 1 } },
      { prefer: 'wait=10' },
    )

  const adminInstall = (reference: string) =>
    fetch(`${platform.url}/v1/admin/modules/install`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ref: reference }),
    })

  const adminModules = async () => {
    const response = await fetch(`${platform.url}/v1/admin/modules`, {
      headers: { authorization: `Bearer ${platform.key}` },
    })
    return ((await response.json()) as { modules: Record<string, unknown>[] }).modules
  }

  beforeAll(async () => {
    registry = await startRegistry()
    client = new OciClient({ credentials: anonymous })
    work = await mkdtemp(join(tmpdir(), 'aion-install-e2e-'))
    packages = join(work, 'modules')
    await mkdir(packages)
    const configDir = join(work, 'config')
    await writeConfig(configDir)
    env = {
      AION_DATA_DIR: join(work, 'data'),
      AION_CONFIG_DIR: configDir,
      AION_MODULES_DIR: packages,
      AION_TRUSTED_KEYS: join(work, 'cosign.pub'),
    }
    // keygen → pack → push → sign with the CLI, as an operator does.
    expect(run(['keygen', '--output-key-prefix', join(work, 'cosign')]).code).toBe(0)
    const source = await packageNamed(NAMES.cli)
    const archive = join(work, 'echo_words.aip.tar.gz')
    const packed = run(['pack', source, '-o', archive, '--json'])
    expect(packed.code).toBe(0)
    const pushed = run(['push', archive, `${registry.host}/aion/${NAMES.cli}:1.3.0`, '--json'])
    expect(pushed.code).toBe(0)
    const pushedJson = JSON.parse(pushed.stdout) as { digest: string; layerDigest: string }
    expect(pushedJson.layerDigest).toBe((JSON.parse(packed.stdout) as { digest: string }).digest)
    refs.cli = parseReference(`${registry.host}/aion/${NAMES.cli}:1.3.0`)
    digests.cli = pushedJson.digest
    const signed = run(['sign', '--key', join(work, 'cosign.key'), text(refs.cli)])
    expect(signed.code, signed.stderr).toBe(0)
  })

  afterAll(async () => {
    await platform?.close()
    await client?.close()
    await stopRegistries()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('aionctl install verifies, stores and registers the package; the platform serves it', async () => {
    const installed = run(['install', text(refs.cli), '--json'])
    expect(installed.code, installed.stderr).toBe(0)
    const outcome = JSON.parse(installed.stdout) as Record<string, unknown>
    const publicKey = await readFile(join(work, 'cosign.pub'), 'utf8')
    expect(outcome).toMatchObject({
      status: 'installed',
      name: NAMES.cli,
      version: '1.3.0',
      digest: digests.cli,
      signerKeyId: keyIdOf(createPublicKey(publicKey)),
      unsigned: false,
    })
    expect(await readdir(packages)).toEqual([NAMES.cli])
    platform = await startTestPlatform({ env })
    const response = await task(NAMES.cli)
    expect(response.status).toBe(200)
    const envelope = (await response.json()) as Record<string, unknown>
    expect(envelope).toMatchObject({
      status: 'succeeded',
      engine: { kind: 'module', name: NAMES.cli },
      output: { summary: expect.any(String) },
    })
  })

  it('the admin API installs a signed package that serves at once, without a restart', async () => {
    await pushNamed('api')
    await signArtifact(client, refs.api, await signingKey())
    const before = await task(NAMES.api)
    expect(((await before.json()) as { status: string }).status).not.toBe('succeeded')
    const response = await adminInstall(text(refs.api))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      name: NAMES.api,
      version: '1.3.0',
      digest: digests.api,
      status: 'installed',
      signer_key_id: expect.stringMatching(/^[a-f0-9]{64}$/),
      sbom_ref: null,
    })
    const after = await task(NAMES.api)
    expect(await after.json()).toMatchObject({
      status: 'succeeded',
      engine: { kind: 'module', name: NAMES.api },
    })
  })

  it('the admin API refuses a body without a ref, and a key without the operator scope', async () => {
    const missing = await fetch(`${platform.url}/v1/admin/modules/install`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reference: text(refs.api) }),
    })
    expect(missing.status).toBe(422)
    expect(await missing.json()).toMatchObject({ code: 'AION_REQUEST_INVALID' })
    const minted = mintApiKey()
    await platform.platform.store.apiKeys.create({
      tenantId: 'default',
      keyId: minted.keyId,
      secretHash: minted.secretHash,
      name: "the tenant's admin",
      scopes: ['admin'],
    })
    for (const [method, path] of [
      ['POST', '/v1/admin/modules/install'],
      ['GET', '/v1/admin/modules'],
    ] as const) {
      const response = await fetch(`${platform.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${minted.key}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify({ ref: text(refs.api) }) } : {}),
      })
      expect(response.status).toBe(403)
    }
  })

  describe('packages that fail verification', () => {
    beforeAll(async () => {
      const key = await signingKey()
      await pushNamed('unsigned')
      await pushNamed('tampered')
      await signArtifact(client, refs.tampered, key)
      const layer = (await client.fetchImageManifest(refs.tampered)).manifest.layers[0]
      await writeFile(
        registry.blobDataPath(layer?.digest ?? ''),
        Buffer.alloc(layer?.size ?? 1, 0x41),
      )
      await pushNamed('untrusted')
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      await signArtifact(client, refs.untrusted, stranger)
      // A genuine signature of echo_words copied onto moved_words' signature tag.
      await pushNamed('moved')
      const sig = await client.fetchImageManifest(withTag(refs.cli, signatureTag(digests.cli)))
      for (const blob of [sig.manifest.config, ...sig.manifest.layers]) {
        await client.pushBlob(refs.moved, await client.fetchBlob(refs.cli, blob), blob.mediaType)
      }
      await client.pushManifest(withTag(refs.moved, signatureTag(digests.moved)), sig.manifest)
    })

    it.each([
      ['unsigned', 'AION_SIGNATURE_NOT_FOUND'],
      ['tampered', 'AION_OCI_DIGEST_MISMATCH'],
      ['untrusted', 'AION_SIGNATURE_UNTRUSTED'],
      ['moved', 'AION_SIGNATURE_DIGEST_MISMATCH'],
    ] as const)('the admin API quarantines the %s package (%s)', async (key, reasonCode) => {
      const response = await adminInstall(text(refs[key]))
      expect(response.status).toBe(422)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
      expect(await response.json()).toMatchObject({
        code: 'AION_MODULE_QUARANTINED',
        retryable: false,
        module: NAMES[key],
        digest: digests[key],
        reasonCode,
      })
      expect(existsSync(join(packages, NAMES[key]))).toBe(false)
    })

    it('aionctl install quarantines too, exiting 1 with the code', () => {
      const result = run(['install', text(refs.unsigned)])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('AION_MODULE_QUARANTINED')
      expect(result.stderr).toContain('AION_SIGNATURE_NOT_FOUND')
    })

    it('aionctl modules quarantine and the admin API list them with their reasons', async () => {
      const listed = run(['modules', 'quarantine', '--json'])
      expect(listed.code, listed.stderr).toBe(0)
      const rows = JSON.parse(listed.stdout) as { name: string; reason_code: string }[]
      expect(rows.map((r) => [r.name, r.reason_code]).sort()).toEqual(
        [
          [NAMES.moved, 'AION_SIGNATURE_DIGEST_MISMATCH'],
          [NAMES.tampered, 'AION_OCI_DIGEST_MISMATCH'],
          [NAMES.untrusted, 'AION_SIGNATURE_UNTRUSTED'],
          [NAMES.unsigned, 'AION_SIGNATURE_NOT_FOUND'],
        ].sort(),
      )
      const text = run(['modules', 'quarantine'])
      expect(text.stdout).toContain(`${NAMES.tampered} 1.3.0 ${digests.tampered}`)
      const all = await adminModules()
      const status = Object.fromEntries(all.map((m) => [m.name, m.status]))
      expect(status).toMatchObject({
        [NAMES.cli]: 'installed',
        [NAMES.api]: 'installed',
        [NAMES.unsigned]: 'quarantined',
        [NAMES.tampered]: 'quarantined',
      })
    })

    it('a task for a quarantined package does not run', async () => {
      for (const key of ['unsigned', 'tampered', 'untrusted', 'moved'] as const) {
        const response = await task(NAMES[key])
        const envelope = (await response.json()) as { status?: string; output?: unknown }
        expect(envelope.status).not.toBe('succeeded')
        expect(envelope.output ?? null).toBeNull()
      }
      expect((await readdir(packages)).sort()).toEqual([NAMES.cli, NAMES.api].sort())
    })

    it('each install left an audit event: success or denied with the code', async () => {
      const response = await fetch(
        `${platform.url}/v1/events?topic=aion.audit.activity&limit=1000`,
        { headers: { authorization: `Bearer ${platform.key}` } },
      )
      const { events } = (await response.json()) as {
        events: {
          payload: {
            action: string
            target: string
            outcome: string
            details: Record<string, unknown>
          }
        }[]
      }
      const installs = events.map((e) => e.payload).filter((p) => p.action === 'module.install')
      expect(installs).toContainEqual(
        expect.objectContaining({ target: `${NAMES.api}@1.3.0`, outcome: 'success' }),
      )
      expect(installs).toContainEqual(
        expect.objectContaining({
          target: `${NAMES.tampered}@1.3.0`,
          outcome: 'denied',
          details: expect.objectContaining({ reason_code: 'AION_OCI_DIGEST_MISMATCH' }),
        }),
      )
      // aionctl install writes its entry too, as the operator on the host.
      expect(installs).toContainEqual(
        expect.objectContaining({ target: `${NAMES.cli}@1.3.0`, outcome: 'success' }),
      )
    })
  })

  describe('a registry outage', () => {
    let proxy: FaultProxy

    beforeAll(async () => {
      await pushNamed('outage')
      await signArtifact(client, refs.outage, await signingKey())
      proxy = await startFaultProxy(registry.host)
      proxy.rules.push({ method: 'GET', path: /\/blobs\//, fault: { kind: 'status', status: 500 } })
    })
    afterAll(async () => proxy?.stop())

    it('answers 503 retryable and installs nothing: no row, no files, no objects', async () => {
      const objectsBefore = await listFiles(join(env.AION_DATA_DIR as string, 'objects'))
      const response = await adminInstall(`${proxy.host}/aion/${NAMES.outage}:1.3.0`)
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({
        code: 'AION_OCI_REGISTRY_UNAVAILABLE',
        retryable: true,
      })
      expect((await adminModules()).map((m) => m.name)).not.toContain(NAMES.outage)
      expect(existsSync(join(packages, NAMES.outage))).toBe(false)
      expect(await listFiles(join(env.AION_DATA_DIR as string, 'objects'))).toEqual(objectsBefore)
      expect(proxy.seen.some((line) => line.startsWith('GET /v2/aion/outage_words/blobs/'))).toBe(
        true,
      )
    })

    it('aionctl install exits 1 with the retryable code, and succeeds once the registry answers', async () => {
      // Not spawnSync: the proxy answers from this process's event loop.
      const failed = await runAsync(['install', `${proxy.host}/aion/${NAMES.outage}:1.3.0`])
      expect(failed.code).toBe(1)
      expect(failed.stderr).toContain('AION_OCI_REGISTRY_UNAVAILABLE')
      proxy.rules.splice(0)
      const installed = await runAsync(['install', `${proxy.host}/aion/${NAMES.outage}:1.3.0`])
      expect(installed.code, installed.stderr).toBe(0)
      expect(existsSync(join(packages, NAMES.outage, 'aip.yaml'))).toBe(true)
    })
  })

  /** The private key keygen wrote, decrypted. */
  async function signingKey() {
    return readCosignPrivateKey(
      await readFile(join(work, 'cosign.key'), 'utf8'),
      PASSWORD,
      'cosign.key',
    )
  }
})

/** `aionctl` in a child process without blocking this one. */

/** Every file under `dir`, relative, sorted (none when it does not exist). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .filter((path) => !path.startsWith('~tmp'))
    .sort()
}
