/**
 * `aionctl keygen`, `sign`, `verify` and `sbom` as an operator runs them (the
 * package bin in a child process) against a real registry (Debian's
 * docker-registry): keygen → push → sign → verify prints the signed payload
 * and names the key; every refusal exits 1 with its code — no signature, an
 * untrusted key, a signature over another digest, a wrong password, no
 * password and no terminal; SBOMs attached and printed, and the same SBOM made
 * locally for the same package. A registry behind Basic auth takes the
 * credentials from the settings.
 */
import { execFile, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Secret } from '../../src/core/secret.js'
import {
  anonymous,
  OciClient,
  packPackage,
  type PackedPackage,
  parseReference,
  pushPackage,
  withTag,
} from '../../src/distribution/oci/index.js'
import {
  readCosignPrivateKey,
  signatureTag,
  simpleSigningPayload,
} from '../../src/distribution/signing/index.js'
import { describeWithEngine } from '../support/engines.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from '../support/registry.js'

const PASSWORD = 'correct horse'
/** Each CLI run starts Node and tsx (about a second on a busy machine); a test makes up to eight. */
const CLI_TEST_TIMEOUT_MS = 120_000

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

describeWithEngine('docker-registry', probeRegistry(), () => {
  let open: TestRegistry
  let guarded: TestRegistry
  let client: OciClient
  let echo: PackedPackage
  let redact: PackedPackage
  const home = mkdtempSync(join(tmpdir(), 'aionctl-signing-'))
  const key = join(home, 'cosign.key')
  const pub = join(home, 'cosign.pub')
  const otherPub = join(home, 'other.pub')

  function aionctl(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['bin/aionctl.js', ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: home, COSIGN_PASSWORD: PASSWORD, ...env } },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
          resolve({ code, stdout, stderr })
        },
      )
    })
  }

  const push = async (
    registry: TestRegistry,
    repository: string,
    packed: PackedPackage,
    tag = '1.0.0',
  ) => {
    const ref = `${registry.host}/${repository}:${tag}`
    const pushed = await pushPackage(client, parseReference(ref), packed)
    return { ref, digest: pushed.descriptor.digest }
  }

  beforeAll(async () => {
    ;[open, guarded] = await Promise.all([
      startRegistry(),
      startRegistry({ kind: 'basic', users: { ci: 's3cret' } }),
    ])
    client = new OciClient({ credentials: anonymous })
    ;[echo, redact] = await Promise.all([
      packPackage('test/fixtures/modules/subprocess/echo'),
      packPackage('modules/redact_pii'),
    ])
    const made = await aionctl(['keygen', '--output-key-prefix', join(home, 'cosign')])
    expect(made.code, made.stderr).toBe(0)
    const other = await aionctl(['keygen', '--output-key-prefix', join(home, 'other')])
    expect(other.code, other.stderr).toBe(0)
  }, CLI_TEST_TIMEOUT_MS)
  afterAll(async () => {
    await client?.close()
    await stopRegistries()
    rmSync(home, { recursive: true, force: true })
  })

  it(
    'keygen writes cosign.key (0600, encrypted) and cosign.pub, and refuses to overwrite them',
    async () => {
      expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/)
      expect(readFileSync(pub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
      expect(statSync(key).mode & 0o777).toBe(0o600)
      const before = readFileSync(key, 'utf8')
      const again = await aionctl(['keygen', '--output-key-prefix', join(home, 'cosign')])
      expect(again.code).toBe(1)
      expect(again.stderr).toContain('AION_SIGNING_KEY_EXISTS')
      expect(readFileSync(key, 'utf8')).toBe(before)
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it(
    'push → sign → verify: the verified payload is printed and the key named',
    async () => {
      const { ref, digest } = await push(open, 'team/echo', echo)
      const unsigned = await aionctl(['verify', '--key', pub, ref])
      expect(unsigned.code).toBe(1)
      expect(unsigned.stderr).toContain('AION_SIGNATURE_NOT_FOUND')

      const signed = await aionctl(['sign', '--key', key, ref])
      expect(signed.code, signed.stderr).toBe(0)
      expect(signed.stdout).toContain(`${open.host}/team/echo:${signatureTag(digest)}`)
      const keyId = /key id ([0-9a-f]{64})/.exec(signed.stdout)?.[1]
      expect(keyId).toBeDefined()

      const verified = await aionctl(['verify', '--key', pub, ref])
      expect(verified.code, verified.stderr).toBe(0)
      const payload = simpleSigningPayload({
        dockerReference: `${open.host}/team/echo`,
        manifestDigest: digest,
        optional: null,
      })
      expect(verified.stdout).toBe(`${payload.toString()}\n`)
      expect(verified.stderr).toContain(`signed by key ${keyId}`)

      // The trusted keys of the settings serve when no --key is given.
      const fromSettings = await aionctl(['verify', ref], {
        AION_TRUSTED_KEYS: `${otherPub},${pub}`,
      })
      expect(fromSettings.code, fromSettings.stderr).toBe(0)

      const untrusted = await aionctl(['verify', '--key', otherPub, ref])
      expect(untrusted.code).toBe(1)
      expect(untrusted.stderr).toContain('AION_SIGNATURE_UNTRUSTED')
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it(
    'a signature copied onto another package fails with AION_SIGNATURE_DIGEST_MISMATCH',
    async () => {
      const signed = await push(open, 'team/swap', echo, 'signed')
      const other = await push(open, 'team/swap', redact, 'other')
      expect((await aionctl(['sign', '--key', key, signed.ref])).code).toBe(0)
      const sig = await client.fetchImageManifest(
        withTag(parseReference(signed.ref), signatureTag(signed.digest)),
      )
      await client.pushManifest(
        withTag(parseReference(other.ref), signatureTag(other.digest)),
        sig.manifest,
      )
      const swapped = await aionctl(['verify', '--key', pub, other.ref])
      expect(swapped.code).toBe(1)
      expect(swapped.stderr).toContain('AION_SIGNATURE_DIGEST_MISMATCH')
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it(
    'a wrong password, or none and no terminal, signs nothing',
    async () => {
      const { ref, digest } = await push(open, 'team/nopass', echo)
      const wrong = await aionctl(['sign', '--key', key, ref], { COSIGN_PASSWORD: 'wrong' })
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toContain('AION_SIGNING_KEY_PASSWORD_WRONG')
      const env = { PATH: process.env.PATH ?? '', HOME: home }
      const none = await new Promise<Run>((resolve) =>
        execFile(
          process.execPath,
          ['bin/aionctl.js', 'sign', '--key', key, ref],
          { env },
          (e, o, s) => resolve({ code: e ? 1 : 0, stdout: o, stderr: s }),
        ),
      )
      expect(none.code).toBe(1)
      expect(none.stderr).toContain('AION_SIGNING_PASSWORD_MISSING')
      expect(
        await client.resolve(withTag(parseReference(ref), signatureTag(digest))),
      ).toBeUndefined()
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it(
    'sbom --attach attaches the SBOM, sbom prints it, and a local package gives the same one',
    async () => {
      const { ref, digest } = await push(open, 'team/redact', redact)
      const missing = await aionctl(['sbom', ref])
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain('AION_SBOM_NOT_FOUND')

      const attached = await aionctl(['sbom', '--attach', ref])
      expect(attached.code, attached.stderr).toBe(0)
      expect(attached.stderr).toContain(`to ${digest} (tag sha256-<hex>.sbom)`)
      const printed = await aionctl(['sbom', ref])
      expect(printed.code, printed.stderr).toBe(0)
      expect(printed.stdout).toBe(attached.stdout)
      const bom = JSON.parse(printed.stdout) as {
        specVersion: string
        metadata: { component: { name: string; hashes: { content: string }[] } }
      }
      expect(bom.specVersion).toBe('1.6')
      expect(bom.metadata.component.name).toBe('redact_pii')
      expect(`sha256:${bom.metadata.component.hashes[0]!.content}`).toBe(redact.digest)

      const local = await aionctl(['sbom', 'modules/redact_pii'])
      expect(local.code, local.stderr).toBe(0)
      expect(local.stdout).toBe(printed.stdout)
    },
    CLI_TEST_TIMEOUT_MS,
  )

  it(
    'signs and verifies behind Basic auth with the credentials of the settings',
    async () => {
      const login = {
        AION_REGISTRY_CI_HOST: guarded.host,
        AION_REGISTRY_CI_USERNAME: 'ci',
        AION_REGISTRY_CI_PASSWORD: 's3cret',
      }
      const ref = `${guarded.host}/team/echo:1.0.0`
      const guardedClient = OciClient.fromSettings({
        authFile: join(home, 'none.json'),
        logins: [{ host: guarded.host, username: 'ci', password: new Secret('s3cret') }],
        insecureRegistries: [],
        maxBlobBytes: 1024 ** 3,
        timeoutMs: 30_000,
        trustedKeys: [],
        allowUnsigned: false,
      })
      try {
        await pushPackage(guardedClient, parseReference(ref), echo)
      } finally {
        await guardedClient.close()
      }
      const anonymousSign = await aionctl(['sign', '--key', key, ref])
      expect(anonymousSign.code).toBe(1)
      expect(anonymousSign.stderr).toContain('AION_OCI_UNAUTHORIZED')
      expect((await aionctl(['sign', '--key', key, ref], login)).code).toBe(0)
      const verified = await aionctl(['verify', '--key', pub, ref], login)
      expect(verified.code, verified.stderr).toBe(0)
    },
    CLI_TEST_TIMEOUT_MS,
  )

  // `script` (util-linux, Debian's essential bsdutils) makes the pseudo-terminal; CI never skips.
  const hasScript = spawnSync('script', ['--version']).status === 0
  it.skipIf(!hasScript && !process.env.CI)(
    'keygen asks for the password twice on a terminal, without echoing it (needs util-linux script)',
    async () => {
      // util-linux `script` gives the child a pseudo-terminal; answers are typed once each prompt shows.
      const prefix = join(home, 'typed')
      const child = spawn(
        'script',
        [
          '-qec',
          `${process.execPath} bin/aionctl.js keygen --output-key-prefix ${prefix}`,
          '/dev/null',
        ],
        { env: { PATH: process.env.PATH ?? '', HOME: home } },
      )
      let output = ''
      let prompts = 0
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const seen = output.split('Enter password for private key').length - 1
        if (seen > prompts) {
          prompts = seen
          child.stdin.write('typed secret\r')
        }
      })
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
      expect(code, output).toBe(0)
      expect(prompts).toBe(2)
      expect(output).not.toContain('typed secret')
      const pem = readFileSync(`${prefix}.key`, 'utf8')
      const key = await readCosignPrivateKey(pem, 'typed secret', 'typed.key')
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    },
    CLI_TEST_TIMEOUT_MS,
  )
})
