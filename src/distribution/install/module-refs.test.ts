import { describe, expect, it } from 'vitest'
import type { ModuleRecord } from '../../storage/index.js'
import { resolveModuleRefs } from './module-refs.js'

const DIGEST = `sha256:${'a'.repeat(64)}`
const OTHER = `sha256:${'b'.repeat(64)}`

function row(name: string, version: string, status: ModuleRecord['status'] = 'installed') {
  return {
    tenantId: 'default',
    name,
    version,
    digest: DIGEST,
    runtime: 'wasm',
    signerKeyId: null,
    sbomRef: null,
    status,
    reason: status === 'quarantined' ? 'AION_SIGNATURE_NOT_FOUND: no signature' : null,
    manifest: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  } satisfies ModuleRecord
}

const loaded = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([name, version]) => [name, { version }]))

const resolveOne = (ref: string, records: ModuleRecord[], served: Record<string, string>) =>
  resolveModuleRefs([{ name: 'summarize_text', ref }], records, loaded(served))[0] as ReturnType<
    typeof resolveModuleRefs
  >[number]

describe('modules.yml refs through installed packages', () => {
  it('resolves a tag to the installed version of the name', () => {
    expect(
      resolveOne('ghcr.io/aion/summarize_text:1.3.0', [row('summarize_text', '1.3.0')], {
        summarize_text: '1.3.0',
      }),
    ).toMatchObject({ status: 'installed', version: '1.3.0', digest: DIGEST })
  })

  it('resolves a pinned digest only to the row with that digest', () => {
    const records = [row('summarize_text', '1.3.0')]
    const served = { summarize_text: '1.3.0' }
    expect(
      resolveOne(`localhost:5000/aion/summarize_text@${DIGEST}`, records, served),
    ).toMatchObject({ status: 'installed' })
    expect(
      resolveOne(`localhost:5000/aion/summarize_text@${OTHER}`, records, served),
    ).toMatchObject({ status: 'digest_mismatch', detail: expect.stringContaining(OTHER) })
  })

  it('reports another installed version, and lets a non-version tag match any', () => {
    const records = [row('summarize_text', '1.2.0')]
    const served = { summarize_text: '1.2.0' }
    expect(resolveOne('ghcr.io/aion/summarize_text:1.3.0', records, served)).toMatchObject({
      status: 'version_mismatch',
      version: '1.2.0',
    })
    expect(resolveOne('ghcr.io/aion/summarize_text:v1.2.0', records, served).status).toBe(
      'installed',
    )
    expect(resolveOne('ghcr.io/aion/summarize_text:latest', records, served).status).toBe(
      'installed',
    )
  })

  it('counts a loaded package without an installed row as a development package', () => {
    expect(
      resolveOne('ghcr.io/aion/summarize_text:1.3.0', [], { summarize_text: '1.3.0' }),
    ).toMatchObject({ status: 'development', version: '1.3.0' })
  })

  it('says why an entry does not resolve: quarantined, not loaded, missing, bad ref', () => {
    const ref = 'ghcr.io/aion/summarize_text:1.3.0'
    expect(resolveOne(ref, [row('summarize_text', '1.3.0', 'quarantined')], {})).toMatchObject({
      status: 'quarantined',
      detail: expect.stringMatching(/^AION_SIGNATURE_NOT_FOUND/),
    })
    expect(resolveOne(ref, [row('summarize_text', '1.3.0')], {})).toMatchObject({
      status: 'not_loaded',
    })
    expect(
      resolveOne(ref, [row('summarize_text', '1.3.0')], { summarize_text: '9.9.9' }),
    ).toMatchObject({ status: 'not_loaded', detail: expect.stringContaining('9.9.9 is loaded') })
    expect(resolveOne(ref, [row('other', '1.3.0')], {})).toMatchObject({ status: 'missing' })
    expect(resolveOne('summarize_text', [], {})).toMatchObject({ status: 'ref_invalid' })
  })

  it('resolves the shipped config against the sample packages as development packages', () => {
    const entries = [
      { name: 'summarize_text', ref: 'ghcr.io/aion/summarize_text:1.3.0' },
      { name: 'redact_pii', ref: 'ghcr.io/aion/redact_pii:1.0.0' },
    ]
    const statuses = resolveModuleRefs(
      entries,
      [],
      loaded({ summarize_text: '1.3.0', redact_pii: '1.0.0' }),
    ).map((r) => r.status)
    expect(statuses).toEqual(['development', 'development'])
  })
})
