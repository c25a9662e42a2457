/**
 * Test packages for the executor tests. Built with the same toolchain as the real
 * modules (AssemblyScript + the WASI shim): a `probe` module whose behaviour the
 * request picks (answer, spin forever, trap, fail, flood stdout, log, bad output),
 * and broken packages that must be quarantined. Built from WAT with wabt: the
 * hostile packages of test/fixtures/modules/wasm, small enough to read whole.
 */
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import asc from 'assemblyscript/asc'
import wabtInit from 'wabt'

const require = createRequire(import.meta.url)
// asc resolves the config's `lib` wrongly from an absolute config path; a relative one works.
const shimConfig = relative(
  process.cwd(),
  require.resolve('@assemblyscript/wasi-shim/asconfig.json'),
)

/** The repository's modules directory. */
export const modulesDir = fileURLToPath(new URL('../../modules', import.meta.url))

const PROBE_SOURCE = `
let calls = 0

function readStdin(): string {
  const buffer = new ArrayBuffer(65536)
  const read = process.stdin.read(buffer, 0)
  return String.UTF8.decode(buffer.slice(0, read))
}

calls++
const input = readStdin()
if (input.includes('"spin"')) {
  let i: i64 = 0
  while (i >= 0) i = (i + 1) & 0xffff
} else if (input.includes('"trap"')) {
  unreachable()
} else if (input.includes('"fail"')) {
  process.stdout.write('{"error":{"code":"PROBE_FAILED","message":"asked to fail"}}')
  process.exit(3)
} else if (input.includes('"flood"')) {
  const chunk = 'x'.repeat(65536)
  for (let i = 0; i < 40; i++) process.stdout.write(chunk)
} else if (input.includes('"bad"')) {
  process.stdout.write('{"unexpected":true}')
} else {
  if (input.includes('"log"')) process.stderr.write('probe log line\\n')
  process.stdout.write(
    '{"calls":' + calls.toString() +
    ',"argc":' + process.argv.length.toString() +
    ',"arg0":"' + process.argv[0] +
    '","env":' + process.env.size.toString() +
    ',"stdinBytes":' + String.UTF8.byteLength(input).toString() + '}'
  )
}
`

const PROBE_INPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { enum: ['answer', 'spin', 'trap', 'fail', 'flood', 'bad', 'log'] },
    padding: { type: 'string' },
  },
}

const PROBE_OUTPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['calls', 'argc', 'arg0', 'env', 'stdinBytes'],
  properties: {
    calls: { type: 'integer' },
    argc: { type: 'integer' },
    arg0: { type: 'string' },
    env: { type: 'integer' },
    stdinBytes: { type: 'integer' },
  },
}

/** Compiles AssemblyScript `source` for WASI into `outFile`; `args` adds asc options. */
export async function compileAssemblyScript(
  source: string,
  outFile: string,
  args: readonly string[],
): Promise<void> {
  const sourceFile = outFile.replace(/\.wasm$/, '.ts')
  await writeFile(sourceFile, source)
  const result = await asc.main([
    sourceFile,
    '--config',
    shimConfig,
    '--outFile',
    outFile,
    '-O2',
    ...args,
  ])
  if (result.error) throw new Error(`asc failed: ${result.stderr.toString()}`)
}

/** Builds summarize_text unless its .wasm exists (`npm test` builds it in `pretest`). */
export async function ensureSummarizeTextBuilt(): Promise<void> {
  const dir = join(modulesDir, 'summarize_text')
  const built = await stat(join(dir, 'build', 'summarize_text.wasm')).catch(() => undefined)
  if (built) return
  // asc resolves the `lib` of an extended config wrongly when the config path is
  // absolute (the wasi-shim's `use` entries are then "not found"); relative works.
  const config = relative(process.cwd(), join(dir, 'asconfig.json'))
  const result = await asc.main(['--config', config, '--target', 'release'])
  if (result.error) throw new Error(`asc failed: ${result.stderr.toString()}`)
}

function manifest(name: string, memory: string, timeoutMs: number): string {
  return [
    'apiVersion: aionos/v1',
    'kind: AgentPackage',
    `metadata: { name: ${name}, version: 0.0.1, authors: [tests], license: Apache-2.0 }`,
    `runtime: { type: wasm, wasi: true, module: probe.wasm, resources: { memory: ${memory} } }`,
    'permissions: { filesystem: none, network: deny }',
    'entrypoints: { schema: { input: input.json, output: output.json } }',
    'intents: [probe]',
    `policies: { timeout_ms: ${timeoutMs} }`,
  ].join('\n')
}

/** Options of one probe package. */
export interface ProbePackage {
  readonly name: string
  /** The manifest's `resources.memory`. */
  readonly memory: string
  /** asc `--maximumMemory` in pages; absent builds a module with no maximum. */
  readonly maximumMemoryPages?: number
  readonly timeoutMs?: number
}

/** Writes a probe package (manifest, schemas, compiled module) under `root/<name>`. */
export async function writeProbePackage(root: string, probe: ProbePackage): Promise<string> {
  const dir = join(root, probe.name)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'aip.yaml'), manifest(probe.name, probe.memory, probe.timeoutMs ?? 500))
  await writeFile(join(dir, 'input.json'), JSON.stringify(PROBE_INPUT_SCHEMA))
  await writeFile(join(dir, 'output.json'), JSON.stringify(PROBE_OUTPUT_SCHEMA))
  const max = probe.maximumMemoryPages
  const args = max === undefined ? [] : ['--maximumMemory', String(max)]
  await compileAssemblyScript(PROBE_SOURCE, join(dir, 'probe.wasm'), args)
  return dir
}

/** The hostile WASM packages' sources (one folder each, plus the shared `prelude.wat`). */
export const hostileWasmFixturesDir = fileURLToPath(
  new URL('../../test/fixtures/modules/wasm', import.meta.url),
)

/** The lines of `prelude.wat` after the line `;; @<section>`, up to the next such line. */
function preludeSection(prelude: string, section: 'imports' | 'functions'): string {
  const lines = prelude.split('\n')
  const start = lines.indexOf(`;; @${section}`)
  if (start < 0) throw new Error(`prelude.wat has no ';; @${section}' line`)
  const next = lines.findIndex((line, i) => i > start && /^;; @[a-z]+$/.test(line))
  return lines.slice(start + 1, next < 0 ? undefined : next).join('\n')
}

/** WAT text to a binary; the prelude's sections replace the `;; @imports`/`;; @functions` markers. */
export async function compileWat(
  name: string,
  source: string,
  prelude: string,
): Promise<Uint8Array> {
  const wabt = await wabtInit()
  let text = source
  for (const section of ['imports', 'functions'] as const) {
    const marker = `;; @${section}`
    if (text.includes(marker)) text = text.replace(marker, preludeSection(prelude, section))
  }
  const parsed = wabt.parseWat(`${name}.wat`, text)
  try {
    return parsed.toBinary({}).buffer
  } finally {
    parsed.destroy()
  }
}

/**
 * Copies every hostile package to `root/<name>` and compiles its `module.wat` to
 * `module.wasm` (the WAT stays: a package file like any other). Returns the names.
 */
export async function writeHostileWasmPackages(root: string): Promise<string[]> {
  const prelude = await readFile(join(hostileWasmFixturesDir, 'prelude.wat'), 'utf8')
  const entries = await readdir(hostileWasmFixturesDir, { withFileTypes: true })
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name)
  for (const name of names) {
    const dir = join(root, name)
    await cp(join(hostileWasmFixturesDir, name), dir, { recursive: true })
    const source = await readFile(join(dir, 'module.wat'), 'utf8')
    await writeFile(join(dir, 'module.wasm'), await compileWat(name, source, prelude))
  }
  return names
}
