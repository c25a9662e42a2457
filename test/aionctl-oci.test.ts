/**
 * `aionctl pack|push|pull` as an operator runs them: the package bin in a
 * child process against a real docker-registry behind Basic auth, with the
 * credentials in AION_REGISTRY_<ID>_* settings.
 */
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithEngine } from './support/engines.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from './support/registry.js'
import { aionctl, cleanUpProcesses, tempDir } from './support/server-process.js'

const ECHO = 'test/fixtures/modules/subprocess/echo'
const sha256 = (file: string) =>
  `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`

describeWithEngine('docker-registry', probeRegistry(), () => {
  let registry: TestRegistry
  let env: Record<string, string>
  beforeAll(async () => {
    registry = await startRegistry({ kind: 'basic', users: { ci: 'cli-password' } })
    const home = tempDir('aion-oci-home-')
    env = {
      HOME: home,
      AION_REGISTRY_AUTH_FILE: join(home, 'no-docker-config.json'),
      AION_REGISTRY_CI_HOST: registry.host,
      AION_REGISTRY_CI_USERNAME: 'ci',
      AION_REGISTRY_CI_PASSWORD: 'cli-password',
    }
  })
  afterAll(async () => {
    await stopRegistries()
    cleanUpProcesses()
  })

  it('pack prints the digest of a reproducible archive', () => {
    const out = tempDir('aion-pack-')
    const first = aionctl(['pack', ECHO, '-o', join(out, 'a.tar.gz')], env)
    expect(first.code, first.stderr).toBe(0)
    const digest = first.stdout.split(/\s+/)[0]
    expect(digest).toBe(sha256(join(out, 'a.tar.gz')))
    const second = aionctl(['pack', ECHO, '-o', join(out, 'b.tar.gz'), '--json'], env)
    expect(JSON.parse(second.stdout)).toMatchObject({ name: 'echo', version: '1.0.0', digest })
  })

  it('pack refuses a broken package, listing its problems', () => {
    const dir = join(tempDir('aion-broken-'), 'echo')
    cpSync(ECHO, dir, { recursive: true })
    rmSync(join(dir, 'schemas', 'output.json'))
    const run = aionctl(['pack', dir, '-o', join(dir, '..', 'x.tar.gz')], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('schemas/output.json')
    expect(run.stderr).toContain('AION_OCI_PACK_REFUSED')
  })

  it('push prints the manifest digest and the pinned reference; pull writes the archive or unpacks it', () => {
    const pushed = aionctl(['push', ECHO, `${registry.host}/cli/echo:1.0.0`], env)
    expect(pushed.code, pushed.stderr).toBe(0)
    const [, digest, pinned] = pushed.stdout.trim().split('\n')
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(pinned).toBe(`${registry.host}/cli/echo@${digest}`)

    const out = tempDir('aion-pull-')
    const archive = aionctl(['pull', pinned as string, '-o', join(out, 'echo.tar.gz')], env)
    expect(archive.code, archive.stderr).toBe(0)
    const packed = aionctl(['pack', ECHO, '-o', join(out, 'local.tar.gz')], env)
    expect(packed.code).toBe(0)
    expect(
      readFileSync(join(out, 'echo.tar.gz')).equals(readFileSync(join(out, 'local.tar.gz'))),
    ).toBe(true)

    const unpacked = aionctl(
      ['pull', `${registry.host}/cli/echo:1.0.0`, '-o', join(out, 'pkg')],
      env,
    )
    expect(unpacked.code, unpacked.stderr).toBe(0)
    expect(readFileSync(join(out, 'pkg', 'aip.yaml'), 'utf8')).toBe(
      readFileSync(join(ECHO, 'aip.yaml'), 'utf8'),
    )

    writeFileSync(join(out, 'taken.tar.gz'), 'x')
    const taken = aionctl(['pull', pinned as string, '-o', join(out, 'taken.tar.gz')], env)
    expect(taken.code).toBe(1)
    expect(taken.stderr).toContain('AION_OCI_OUTPUT_EXISTS')
    expect(readFileSync(join(out, 'taken.tar.gz'), 'utf8')).toBe('x')
  })

  it('fails with AION_OCI_UNAUTHORIZED for a wrong password and AION_OCI_NOT_FOUND for a missing tag', () => {
    const wrong = aionctl(['pull', `${registry.host}/cli/echo:1.0.0`], {
      ...env,
      AION_REGISTRY_CI_PASSWORD: 'wrong',
    })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('AION_OCI_UNAUTHORIZED')
    const missing = aionctl(
      ['pull', `${registry.host}/cli/echo:9.9.9`, '-o', join(tempDir(), 'x.tgz')],
      env,
    )
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('AION_OCI_NOT_FOUND')
  })
})
