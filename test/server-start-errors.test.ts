/**
 * What a new user meets when a start goes wrong, tried on the real process:
 * every reason is printed (never a silent exit), and a failed start loses
 * nothing a later start needs.
 */
import { cpSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanUpProcesses, spawnServer, startServer, tempDir } from './support/server-process.js'

const listeners: Server[] = []

afterEach(async () => {
  cleanUpProcesses()
  await Promise.all(listeners.splice(0).map((l) => new Promise((done) => l.close(done))))
})

/** A port some other process holds (here: a plain listener of this test). */
async function takenPort(): Promise<number> {
  const listener = createServer()
  listeners.push(listener)
  await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done))
  return (listener.address() as { port: number }).port
}

/** The stderr lines the process wrote besides its JSON log. */
function plainLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'))
}

describe('a start that cannot listen', () => {
  it('prints one line naming the address, exits 1, and the next start still shows the development key', async () => {
    const dataDir = tempDir()
    const port = await takenPort()
    const server = spawnServer({
      AION_HOST: '127.0.0.1',
      AION_PORT: String(port),
      AION_DATA_DIR: dataDir,
    })
    expect(await server.exited).toBe(1)
    const lines = plainLines(server.stderr())
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^omertaos: cannot start: AION_SERVER_LISTEN_FAILED: /)
    expect(lines[0]).toContain(`127.0.0.1:${port}`)
    expect(lines[0]).toContain('already in use')
    expect(lines[0]).toContain('AION_PORT')

    // The key is made once the platform listens: the failed start left none behind.
    const next = await startServer({ AION_DATA_DIR: dataDir })
    expect(next.key).toMatch(/^aion_/)
    const health = await fetch(`${next.url}/v1/events`, {
      headers: { authorization: `Bearer ${next.key}` },
    })
    expect(health.status).toBe(200)
  })
})

describe('settings problems', () => {
  it('reports a provider URL with credentials in it, with every other problem, and exits 1', async () => {
    const server = spawnServer({
      AION_PORT: '0',
      AION_DATA_DIR: tempDir(),
      AION_OPENAI_API_KEY: 'sk-test',
      AION_OPENAI_BASE_URL: 'http://user:pw@127.0.0.1:9/v1',
      AION_VLLM_BASE_URL: 'http://127.0.0.1:9/v1?token=x',
    })
    expect(await server.exited).toBe(1)
    const stderr = server.stderr()
    expect(stderr).toMatch(/^omertaos: cannot start: AION_CONFIG_INVALID: 2 setting\(s\) to fix:$/m)
    expect(stderr).toMatch(
      /^ {2}AION_OPENAI_BASE_URL must not carry credentials .*AION_OPENAI_API_KEY$/m,
    )
    expect(stderr).toMatch(/^ {2}AION_VLLM_BASE_URL must not carry a query or a fragment$/m)
    // The value itself (a password) is never echoed.
    expect(stderr).not.toContain('pw@')
  })
})

describe('a file a setting names', () => {
  it('that cannot be read is one line naming it, not a stack trace', async () => {
    const missing = join(tempDir(), 'missing-cert.pem')
    const server = spawnServer({
      AION_PORT: '0',
      AION_DATA_DIR: tempDir(),
      AION_TLS_CERT_FILE: missing,
      AION_TLS_KEY_FILE: missing,
    })
    expect(await server.exited).toBe(1)
    expect(plainLines(server.stderr())).toEqual([
      `omertaos: cannot start: ENOENT: no such file or directory, open '${missing}' (check the AION_* setting that names ${missing})`,
    ])
  })
})

describe('a quarantined package at start', () => {
  it('says why it is quarantined, also where its modules.yml entry does not resolve', async () => {
    const modulesDir = tempDir()
    cpSync('modules/summarize_text', join(modulesDir, 'summarize_text'), { recursive: true })
    rmSync(join(modulesDir, 'summarize_text', 'build'), { recursive: true, force: true })
    const server = await startServer({ AION_DATA_DIR: tempDir(), AION_MODULES_DIR: modulesDir })
    // The JSON log is written asynchronously: it may follow the banner.
    const deadline = Date.now() + 10_000
    while (!server.stdoutLog().includes('"listening"') && Date.now() < deadline)
      await new Promise((done) => setTimeout(done, 50))
    const log = server
      .stdoutLog()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string })
      .map((entry) => entry.msg)
    const why = 'AION_MODULE_PACKAGE_INVALID: package summarize_text: build/summarize_text.wasm'
    expect(log).toContainEqual(
      expect.stringMatching(/^package summarize_text is quarantined \(it will not run\): /),
    )
    expect(log.find((msg) => msg.startsWith('package summarize_text'))).toContain(why)
    const entry = log.find((msg) => msg.startsWith('modules.yml entry summarize_text'))
    expect(entry).toContain('is quarantined')
    expect(entry).toContain(why)
  })
})
