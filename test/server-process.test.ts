/**
 * Drives `npm start`'s entry point as a real process: it must come up on
 * embedded defaults, answer health checks, and exit 0 on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const children: ChildProcess[] = []
const dirs: string[] = []

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aion-server-'))
  dirs.push(dir)
  return dir
}

interface Started {
  child: ChildProcess
  url: string
  stderr: () => string
}

function startServer(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { PATH: process.env.PATH ?? '', AION_HOST: '127.0.0.1', AION_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      for (const line of stdout.split('\n')) {
        if (!line.includes('"listening"')) continue
        const { url } = JSON.parse(line) as { url: string }
        resolve({ child, url, stderr: () => stderr })
      }
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)))
  })
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

describe('the platform process', () => {
  it('starts on embedded defaults, serves health checks and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir()
    const { child, url } = await startServer({ AION_DATA_DIR: dataDir, AION_CONFIG_DIR: 'config' })

    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })

    const ready = await fetch(`${url}/readyz`)
    expect(ready.status).toBe(200)
    const readiness = (await ready.json()) as {
      status: string
      checks: { name: string; ok: boolean }[]
    }
    expect(readiness.status).toBe('ready')
    expect(readiness.checks.map((c) => [c.name, c.ok])).toEqual([
      ['store', true],
      ['registries', true],
      ['accepting', true],
    ])

    const missing = await fetch(`${url}/nope`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await missing.json()).toMatchObject({
      code: 'AION_REQUEST_ROUTE_NOT_FOUND',
      status: 404,
    })

    const exited = exitCode(child)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('refuses to start on an invalid registry set, listing every error', async () => {
    const configDir = tempDir()
    cpSync('config', configDir, { recursive: true })
    writeFileSync(join(configDir, 'policies.yml'), 'budget: [unclosed\n')
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        AION_PORT: '0',
        AION_DATA_DIR: tempDir(),
        AION_CONFIG_DIR: configDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    expect(await exitCode(child)).toBe(1)
    expect(stderr).toContain('policies.yml')
    expect(stderr).toMatch(/AION_REGISTRY_/)
  })

  it('reports every bad setting at once', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      env: { PATH: process.env.PATH ?? '', AION_PORT: 'eighty', AION_DATABASE_URL: 'mysql://x' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    expect(await exitCode(child)).toBe(1)
    expect(stderr).toContain('AION_CONFIG_INVALID')
    expect(stderr).toContain('AION_PORT')
    expect(stderr).toContain('AION_DATABASE_URL')
  })
})
