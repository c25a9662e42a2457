/**
 * Runbook step 6 as an operator runs it: scripts/install-samples.sh against a
 * real registry (Debian's docker-registry) pushes and signs every sample
 * package, installs each with `aionctl install` (signature verified against
 * the key it made), starts the platform on the installed packages and passes
 * its `aionctl submit` smoke test.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithEngine } from './support/engines.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from './support/registry.js'
import { aionctl } from './support/server-process.js'

function runScript(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['scripts/install-samples.sh', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('close', (code) => done({ code, output }))
  })
}

describeWithEngine('docker-registry', probeRegistry(), () => {
  let registry: TestRegistry
  let work: string
  let env: Record<string, string>

  beforeAll(async () => {
    registry = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'aion-runbook-'))
    env = {
      COSIGN_PASSWORD: 'runbook-password',
      KEY_PREFIX: join(work, 'keys', 'cosign'),
      AION_DATA_DIR: join(work, 'data'),
      AION_MODULES_DIR: join(work, 'installed'),
      // `npm test` builds the WASM samples first (pretest).
      SKIP_BUILD: '1',
    }
  })
  afterAll(async () => {
    await stopRegistries()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('installs every sample from the registry and passes the smoke test', async () => {
    const { code, output } = await runScript([registry.host], env)
    expect(code, output).toBe(0)
    expect(output).toContain(`smoke test passed: samples installed from ${registry.host}`)
    const samples = (await readdir('modules')).sort()
    expect((await readdir(join(work, 'installed'))).sort()).toEqual(samples)
    for (const name of samples) {
      expect(output).toMatch(new RegExp(`installed ${name} \\S+ sha256:[a-f0-9]{64}`))
    }
    const quarantined = aionctl(['modules', 'quarantine', '--json'], env)
    expect(JSON.parse(quarantined.stdout)).toEqual([])
  }, 300_000)

  it('refuses to install what the registry holds unsigned by the trusted key', async () => {
    const other = { ...env, KEY_PREFIX: join(work, 'keys', 'other') }
    const { code, output } = await runScript([registry.host], { ...other, SKIP_PUSH: '1' })
    expect(code).toBe(1)
    expect(output).toContain('AION_MODULE_QUARANTINED')
    expect(output).toContain('AION_SIGNATURE_UNTRUSTED')
  }, 120_000)
})
