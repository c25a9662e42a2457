/**
 * `aionctl modules list|inspect|run|install` as an operator runs them: the
 * package bin in a child process, on the repository's sample packages and on
 * copies of them in temp packages directories (`AION_MODULES_DIR`).
 */
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { create as createTar } from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aionctl, cleanUpProcesses, startServer, tempDir } from './support/server-process.js'
import { describeWithEngine } from './support/engines.js'
import { probeOcrTools, render } from './modules-samples/invoice-images.js'
import { ensureBuilt } from './modules-samples/sample-packages.js'

const SAMPLES = ['summarize_text', 'redact_pii', 'invoice_extract', 'ocr_tesseract']

beforeAll(async () => {
  for (const name of SAMPLES) await ensureBuilt(name)
}, 180_000)

afterAll(cleanUpProcesses)

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** A packages directory the sandbox user can read, holding copies of `names`. */
function packagesDir(...names: string[]): string {
  const dir = tempDir('aion-modules-')
  chmodSync(dir, 0o755)
  for (const name of names) cpSync(join('modules', name), join(dir, name), { recursive: true })
  return dir
}

/** A JSON file holding `value`. */
function jsonFile(value: unknown): string {
  const file = join(tempDir('aion-input-'), 'input.json')
  writeFileSync(file, JSON.stringify(value))
  return file
}

/** A package whose manifest reads, with three independent problems. */
function brokenPackage(root: string): string {
  const dir = join(root, 'broken')
  cpSync(join('modules', 'summarize_text'), dir, { recursive: true })
  writeFileSync(join(dir, 'schemas', 'input.json'), '{ not json')
  rmSync(join(dir, 'schemas', 'output.json'))
  rmSync(join(dir, 'build'), { recursive: true })
  rmSync(join(dir, 'asconfig.json'))
  return dir
}

interface Row {
  name: string
  version: string
  runtime: string
  intents: string[]
  digest: string
  status: string
  reason?: string
}

describe('aionctl modules list', () => {
  it('lists the sample packages with runtime, intents, digest and status', () => {
    const { code, stdout } = aionctl(['modules', 'list', '--json'])
    expect(code).toBe(0)
    const rows = (JSON.parse(stdout) as { packages: Row[] }).packages
    const byName = new Map(rows.map((row) => [row.name, row]))
    expect(byName.get('ocr_tesseract')).toMatchObject({ runtime: 'subprocess', intents: ['ocr'] })
    expect(byName.get('redact_pii')).toMatchObject({ runtime: 'wasm', intents: ['redact_pii'] })
    for (const name of SAMPLES) {
      expect(byName.get(name)).toMatchObject({ status: 'ok' })
      expect(byName.get(name)?.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    }
  })

  it('shows a broken package as quarantined with its reason, in a table', () => {
    const dir = packagesDir('summarize_text')
    brokenPackage(dir)
    const { code, stdout } = aionctl(['modules', 'list'], { AION_MODULES_DIR: dir })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^NAME\s+VERSION\s+RUNTIME\s+INTENTS\s+DIGEST\s+STATUS$/m)
    expect(stdout).toMatch(/^summarize_text\s+1\.3\.0\s+wasm\s+summarize\s+sha256:\w{12}\s+ok$/m)
    expect(stdout).toMatch(
      /^summarize_text: quarantined: AION_MODULE_PACKAGE_INVALID: .*\(and 2 more\)$/m,
    )
  })
})

describe('aionctl modules inspect', () => {
  it('shows manifest, limits, permissions, schemas and every file with its digest', () => {
    const { code, stdout } = aionctl(['modules', 'inspect', 'redact_pii', '--json'])
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as {
      manifest: { metadata: { name: string } }
      digest: string
      files: { path: string; sha256: string; sizeBytes: number }[]
      schemas: { input: { title: string } }
      valid: boolean
    }
    expect(report.valid).toBe(true)
    expect(report.manifest.metadata.name).toBe('redact_pii')
    expect(report.schemas.input.title).toBe('RedactPiiInput')
    const names = report.files.find((f) => f.path === 'data/names.txt')
    expect(names?.sha256).toBe(sha256('modules/redact_pii/data/names.txt'))
    const listed = aionctl(['modules', 'list', '--json'])
    const row = (JSON.parse(listed.stdout) as { packages: Row[] }).packages.find(
      (r) => r.name === 'redact_pii',
    )
    expect(row?.digest).toBe(report.digest)

    const human = aionctl(['modules', 'inspect', 'modules/redact_pii']).stdout
    expect(human).toMatch(/limits\s+memory 64Mi, cpu 0\.5, gpu none, timeout 2000 ms, retries 0/)
    expect(human).toMatch(/permissions\s+filesystem read-only, network deny, secrets none/)
    expect(human).toMatch(/validation\s+ok/)
  })

  it('inspects a tarball: its own hash, and the same package digest as the directory', async () => {
    const archive = join(tempDir('aion-archive-'), 'summarize_text.tgz')
    await createTar({ gzip: true, file: archive, cwd: 'modules/summarize_text' }, ['.'])
    const fromArchive = JSON.parse(aionctl(['modules', 'inspect', archive, '--json']).stdout)
    const fromDir = JSON.parse(aionctl(['modules', 'inspect', 'summarize_text', '--json']).stdout)
    expect(fromArchive).toMatchObject({ valid: true, archiveSha256: sha256(archive) })
    expect(fromArchive.digest).toBe(fromDir.digest)
  })

  it('lists every problem of a broken package and exits 1', () => {
    const { code, stdout } = aionctl(['modules', 'inspect', brokenPackage(tempDir())])
    expect(code).toBe(1)
    expect(stdout).toMatch(/validation\s+3 problem\(s\)/)
    expect(stdout).toMatch(/schemas\/input\.json: not JSON/)
    expect(stdout).toMatch(/schemas\/output\.json: file not found/)
    expect(stdout).toMatch(/build\/summarize_text\.wasm: not found/)
  })
})

describe('aionctl modules run', () => {
  it('prints the output on stdout and the resources used on stderr', () => {
    const input = jsonFile({ text: 'Solar power is cheap. Rain fell. Solar panels work.' })
    const { code, stdout, stderr } = aionctl([
      'modules',
      'run',
      'modules/summarize_text',
      '--input',
      input,
    ])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ sentences: expect.any(Array) })
    expect(stderr).toMatch(
      /^summarize_text 1\.3\.0 \(wasm\): [\d.]+ ms, output \d+ B, stderr 0 B, memory [\d.]+ MiB$/m,
    )
  })

  it('runs an installed package by name, reading its own files, and reports JSON', () => {
    const input = jsonFile({ text: 'Mail maria@example.com' })
    const { code, stdout } = aionctl(['modules', 'run', 'redact_pii', '--input', input, '--json'])
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as {
      output: { text: string }
      resources: { durationMs: number; memoryPeakBytes: number }
    }
    expect(report.output.text).toBe('Mail [EMAIL]')
    expect(report.resources.durationMs).toBeGreaterThan(0)
    // A WASM instance's linear memory: whole 64 KiB pages, within the manifest's 64Mi.
    expect(report.resources.memoryPeakBytes % 65536).toBe(0)
    expect(report.resources.memoryPeakBytes).toBeLessThanOrEqual(64 * 1048576)
  })

  it('reads the input from stdin with -', () => {
    const result = spawnSync(
      process.execPath,
      ['bin/aionctl.js', 'modules', 'run', 'redact_pii', '--input', '-'],
      { input: '{"text":"Call 555-123-4567"}', encoding: 'utf8', env: { PATH: process.env.PATH } },
    )
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ text: 'Call [PHONE]' })
  })

  it.each([
    ['an input that is not JSON', ['redact_pii'], 'not json', /AION_CLI_INPUT_INVALID/],
    ['an input the schema refuses', ['redact_pii'], { body: 1 }, /AION_MODULE_INPUT_INVALID/],
    [
      'a module that fails',
      ['invoice_extract'],
      { text: 'hi' },
      /AION_MODULE_FAILED.*FIELDS_NOT_FOUND/,
    ],
    ['an unknown package', ['no_such_module'], {}, /AION_MODULE_SOURCE_NOT_FOUND/],
    [
      'a call past its limit',
      ['redact_pii', '--timeout-ms', '1'],
      { text: 'a@b.cd '.repeat(30000) },
      /AION_MODULE_TIMEOUT/,
    ],
  ])('exits 1 with the code on %s', (_, args, input, code) => {
    const file = typeof input === 'string' ? join(tempDir(), 'bad.json') : jsonFile(input)
    if (typeof input === 'string') writeFileSync(file, input)
    const result = aionctl([
      'modules',
      'run',
      ...args.slice(0, 1),
      '--input',
      file,
      ...args.slice(1),
    ])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(code)
  })

  it('refuses a package that fails its checks, naming the problem', () => {
    const result = aionctl(['modules', 'run', brokenPackage(tempDir()), '--input', jsonFile({})])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/AION_MODULE_PACKAGE_INVALID: package broken: /)
  })

  it('builds a source package whose WASM module is missing, then runs it', () => {
    // Inside the checkout, so asconfig.json can extend the WASI shim's config from node_modules.
    // `.scratch/` is git-ignored and absent from a fresh clone.
    mkdirSync('.scratch', { recursive: true })
    const root = mkdtempSync(join('.scratch', 'aionctl-build-'))
    try {
      const dir = join(root, 'summarize_copy')
      cpSync('modules/summarize_text', dir, { recursive: true })
      rmSync(join(dir, 'build'), { recursive: true })
      const config = JSON.parse(readFileSync(join(dir, 'asconfig.json'), 'utf8'))
      config.extends = relative(dir, 'node_modules/@assemblyscript/wasi-shim/asconfig.json')
      writeFileSync(join(dir, 'asconfig.json'), JSON.stringify(config))
      const input = jsonFile({ text: 'One sentence here.' })
      const result = aionctl(['modules', 'run', dir, '--input', input])
      expect(result.stderr).toMatch(/build\/summarize_text\.wasm is missing: building it/)
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({ summary: 'One sentence here.', sentences: [0] })
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }, 120_000)
})

describeWithEngine('aionctl modules run: a subprocess package', await probeOcrTools(), () => {
  it('runs ocr_tesseract in the sandbox the server uses', () => {
    const dir = tempDir()
    const image = render(dir, 'hello', [[40, 60, 'Hello from the sandbox']])
    const input = jsonFile({ image_base64: image })
    const { code, stdout, stderr } = aionctl(['modules', 'run', 'ocr_tesseract', '--input', input])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ text: 'Hello from the sandbox' })
    expect(stderr).toMatch(/^ocr_tesseract 0\.1\.0 \(subprocess\): [\d.]+ ms/m)
    // The cgroup's peak: tesseract needs some MiB, and the manifest caps it at 512Mi.
    const memoryMiB = Number(/memory ([\d.]+) MiB$/m.exec(stderr)?.[1])
    expect(memoryMiB).toBeGreaterThan(1)
    expect(memoryMiB).toBeLessThanOrEqual(512)
  })
})

describe('aionctl modules install', () => {
  it('installs a directory, then a tarball of the same package is unchanged', async () => {
    const target = packagesDir()
    const env = { AION_MODULES_DIR: target }
    const first = aionctl(['modules', 'install', 'modules/redact_pii'], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^installed redact_pii 1\.0\.0 sha256:[0-9a-f]{64}$/m)
    expect(readFileSync(join(target, 'redact_pii', 'data', 'names.txt'), 'utf8')).toBe(
      readFileSync('modules/redact_pii/data/names.txt', 'utf8'),
    )
    const archive = join(tempDir(), 'redact_pii.tar')
    await createTar({ file: archive, cwd: 'modules/redact_pii' }, ['.'])
    const again = aionctl(['modules', 'install', archive], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^unchanged redact_pii 1\.0\.0 /m)
    const rows = JSON.parse(aionctl(['modules', 'list', '--json'], env).stdout).packages as Row[]
    expect(rows).toMatchObject([{ name: 'redact_pii', status: 'ok' }])
    expect(first.stdout).toContain(rows[0]!.digest)
    // Nothing left behind by staging (hidden folders included).
    expect(readdirSync(target)).toEqual(['redact_pii'])
  })

  it('refuses other content under an installed name unless --replace', () => {
    const target = packagesDir('summarize_text')
    const env = { AION_MODULES_DIR: target }
    const changed = join(tempDir(), 'summarize_text')
    cpSync('modules/summarize_text', changed, { recursive: true })
    writeFileSync(join(changed, 'README'), 'changed')
    const refused = aionctl(['modules', 'install', changed], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/AION_MODULE_INSTALL_CONFLICT: .*pass --replace/)
    const replaced = aionctl(['modules', 'install', changed, '--replace'], env)
    expect(replaced.code).toBe(0)
    expect(replaced.stdout).toMatch(/^replaced summarize_text 1\.3\.0 /m)
    expect(readFileSync(join(target, 'summarize_text', 'README'), 'utf8')).toBe('changed')
    expect(readdirSync(target)).toEqual(['summarize_text'])
  })

  it('lists every problem of a broken package and installs nothing', () => {
    const target = packagesDir()
    const result = aionctl(['modules', 'install', brokenPackage(tempDir())], {
      AION_MODULES_DIR: target,
    })
    expect(result.code).toBe(1)
    expect(result.stderr.match(/AION_MODULE_PACKAGE_INVALID/g)).toHaveLength(3)
    expect(result.stderr).toMatch(/AION_MODULE_INSTALL_REFUSED: .* 3 problem\(s\)/)
    expect(readdirSync(target)).toEqual([])
  })

  it('refuses an archive holding a setuid file before unpacking it', async () => {
    const source = join(tempDir(), 'pkg')
    cpSync('modules/summarize_text', source, { recursive: true })
    chmodSync(join(source, 'aip.yaml'), 0o4755)
    const archive = join(tempDir(), 'setuid.tgz')
    await createTar({ gzip: true, file: archive, cwd: source, portable: false }, ['.'])
    const target = packagesDir()
    const result = aionctl(['modules', 'install', archive], { AION_MODULES_DIR: target })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/AION_MODULE_ARCHIVE_SETUID/)
    expect(readdirSync(target)).toEqual([])
  })

  it('installs where the platform loads packages from (AION_MODULES_DIR)', async () => {
    const target = packagesDir()
    expect(
      aionctl(['modules', 'install', 'modules/summarize_text'], { AION_MODULES_DIR: target }).code,
    ).toBe(0)
    const server = await startServer({ AION_MODULES_DIR: target, AION_DATA_DIR: tempDir() })
    const submit = async (intent: string, input: object) => {
      const response = await fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.key}`,
          'content-type': 'application/json',
          prefer: 'wait=20',
        },
        body: JSON.stringify({ intent, input }),
      })
      return (await response.json()) as { status: string; output: unknown }
    }
    const summary = await submit('summarize', { text: 'Only this. ', max_sentences: 1 })
    expect(summary).toMatchObject({ status: 'succeeded', output: { summary: 'Only this.' } })
    // redact_pii sits in the checkout's modules/ but was not installed here: the platform has none.
    const redacted = await submit('redact_pii', { text: 'a@b.cd' })
    expect(redacted).toMatchObject({ status: 'failed', error: { code: 'AION_ROUTER_NO_ROUTE' } })
    server.child.kill('SIGTERM')
    await server.exited
  }, 60_000)
})
