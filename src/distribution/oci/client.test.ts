import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OciClient } from './client.js'
import { anonymous } from './credentials.js'
import { parseReference } from './reference.js'
import { RegistryTransport } from './transport.js'

describe('OciClient transport rules', () => {
  const clients: OciClient[] = []
  const make = (insecureRegistries: string[] = []) => {
    const client = new OciClient({ credentials: anonymous, insecureRegistries, timeoutMs: 2000 })
    clients.push(client)
    return client
  }
  afterAll(() => Promise.all(clients.map((c) => c.close())))

  it('refuses plain HTTP to a registry neither loopback nor listed, before any request', async () => {
    await expect(
      make().fetchManifest(parseReference('http://registry.example.com/x:1')),
    ).rejects.toMatchObject({ code: 'AION_OCI_INSECURE_REFUSED', retryable: false })
  })

  it('chooses HTTPS unless the registry is loopback or listed insecure', () => {
    const transport = new RegistryTransport({
      credentials: anonymous,
      insecureRegistries: ['build.lan:5000'],
    })
    const origin = (text: string) => transport.origin(parseReference(text))
    expect(origin('registry.example.com/x')).toBe('https://registry.example.com')
    expect(origin('build.lan:5000/x')).toBe('http://build.lan:5000')
    expect(origin('http://build.lan:5000/x')).toBe('http://build.lan:5000')
    expect(origin('https://build.lan:5000/x')).toBe('https://build.lan:5000')
    expect(origin('localhost:5000/x')).toBe('http://localhost:5000')
    expect(origin('https://127.0.0.1:5000/x')).toBe('https://127.0.0.1:5000')
    expect(origin('docker.io/library/x')).toBe('https://registry-1.docker.io')
    expect(() => origin('http://build.lan:5001/x')).toThrow(/plain HTTP/)
    return transport.close()
  })

  describe('against a loopback server', () => {
    const seen: string[] = []
    let port = 0
    const server = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.accept ?? ''}`)
      if (req.url?.startsWith('/v2/redirect/')) {
        res.writeHead(307, { location: `http://127.0.0.1:${port}/v2/x/manifests/1` }).end()
        return
      }
      if (req.url?.startsWith('/v2/elsewhere/')) {
        res.writeHead(307, { location: `http://localhost:${port}/v2/x/manifests/1` }).end()
        return
      }
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
    })
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const address = server.address()
      port = typeof address === 'object' && address ? address.port : 0
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it('speaks plain HTTP to loopback and reports the registry’s own error words', async () => {
      const error = (await make()
        .fetchManifest(parseReference(`127.0.0.1:${port}/team/x:1`))
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as { code: string; message: string; retryable: boolean }
      expect(error).toMatchObject({ code: 'AION_OCI_NOT_FOUND', retryable: false })
      expect(error.message).toContain('MANIFEST_UNKNOWN: manifest unknown')
      expect(seen.at(-1)).toContain(
        'GET /v2/team/x/manifests/1 application/vnd.oci.image.manifest.v1+json',
      )
    })

    it('follows no manifest redirect to another host (only blob downloads may go elsewhere)', async () => {
      seen.length = 0
      const error = (await make()
        .fetchManifest(parseReference(`127.0.0.1:${port}/elsewhere/x:1`))
        .catch((e: unknown) => e)) as { code: string }
      expect(error.code).toBe('AION_EGRESS_REDIRECT_REFUSED')
      expect(seen.map((s) => s.split(' ')[1])).toEqual(['/v2/elsewhere/x/manifests/1'])
    })

    it('follows read redirects on the registry’s own origin', async () => {
      seen.length = 0
      await make()
        .fetchManifest(parseReference(`127.0.0.1:${port}/redirect/x:1`))
        .catch(() => undefined)
      expect(seen.map((s) => s.split(' ')[1])).toEqual([
        '/v2/redirect/x/manifests/1',
        '/v2/x/manifests/1',
      ])
    })

    it('answers resolve() of a missing tag with undefined, and referrers() with unsupported', async () => {
      const ref = parseReference(`127.0.0.1:${port}/team/x:1`)
      expect(await make().resolve(ref)).toBeUndefined()
      expect(await make().referrers({ ...ref, digest: `sha256:${'c'.repeat(64)}` })).toEqual({
        supported: false,
      })
    })
  })
})
