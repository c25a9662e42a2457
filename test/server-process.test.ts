/**
 * Drives `npm start`'s entry point as a real process: it must come up on
 * embedded defaults, answer health checks, and exit 0 on SIGTERM.
 */
import { cpSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanUpProcesses, spawnServer, startServer, tempDir } from './support/server-process.js'

afterEach(cleanUpProcesses)

describe('the platform process', () => {
  it('starts on embedded defaults, serves health checks and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir()
    const { child, url, exited } = await startServer({
      AION_DATA_DIR: dataDir,
      AION_CONFIG_DIR: 'config',
    })

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

    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('refuses to start on an invalid registry set, listing every error', async () => {
    const configDir = tempDir()
    cpSync('config', configDir, { recursive: true })
    writeFileSync(join(configDir, 'policies.yml'), 'budget: [unclosed\n')
    const server = spawnServer({
      AION_PORT: '0',
      AION_DATA_DIR: tempDir(),
      AION_CONFIG_DIR: configDir,
    })
    expect(await server.exited).toBe(1)
    expect(server.stderr()).toContain('policies.yml')
    expect(server.stderr()).toMatch(/AION_REGISTRY_/)
  })

  it('reports every bad setting at once', async () => {
    const server = spawnServer({ AION_PORT: 'eighty', AION_DATABASE_URL: 'mysql://x' })
    expect(await server.exited).toBe(1)
    expect(server.stderr()).toContain('AION_CONFIG_INVALID')
    expect(server.stderr()).toContain('AION_PORT')
    expect(server.stderr()).toContain('AION_DATABASE_URL')
  })
})
