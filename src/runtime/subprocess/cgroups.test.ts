/**
 * cgroup detection from recorded /proc files over a cgroupfs-shaped temporary
 * tree (v2 first, v1 as the fallback, `none` with reasons), then one per-call
 * cgroup on this host's real hierarchy: limits written, a process attached and
 * killed, the cgroup removed.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeWithEngine, type EngineProbe } from '../../../test/support/engines.js'
import {
  CallCgroup,
  detectCgroups,
  parseCgroupMounts,
  parseProcCgroup,
  type CgroupSupport,
} from './cgroups.js'

const RECORDED = resolve('test/fixtures/sandbox')

describe('parsing /proc', () => {
  it('finds the v1 controllers and the cgroup2 mount of a hybrid host', async () => {
    const mounts = parseCgroupMounts(await readFile(join(RECORDED, 'hybrid-v1/mountinfo'), 'utf8'))
    expect(mounts.find((m) => m.controllers.includes('memory'))).toMatchObject({
      version: 1,
      mountPoint: '/sys/fs/cgroup/memory',
      root: '/',
    })
    expect(mounts.find((m) => m.controllers.includes('pids'))?.mountPoint).toBe(
      '/sys/fs/cgroup/pids',
    )
    expect(mounts.filter((m) => m.version === 2).map((m) => m.mountPoint)).toEqual([
      '/sys/fs/cgroup/unified',
    ])
  })

  it("reads the process's cgroup per controller and on v2", async () => {
    const paths = parseProcCgroup(await readFile(join(RECORDED, 'hybrid-v1/cgroup'), 'utf8'))
    expect(paths.get('memory')).toBe('/process_api/3f9c2e7a')
    expect(paths.get('pids')).toBe('/')
    expect(paths.get('')).toBe('/')
    const v2 = parseProcCgroup(await readFile(join(RECORDED, 'systemd-v2/cgroup'), 'utf8'))
    expect(v2.get('')).toBe('/system.slice/omertaos.service')
  })
})

describe('detectCgroups on a recorded layout', () => {
  let fsRoot: string
  beforeEach(async () => {
    fsRoot = await mkdtemp(join(tmpdir(), 'aion-cgroupfs-'))
  })
  afterEach(() => rm(fsRoot, { recursive: true, force: true }))

  /** Creates a cgroup directory of the fake tree with the given files. */
  async function cgroupDir(path: string, files: Record<string, string> = {}) {
    await mkdir(join(fsRoot, path), { recursive: true })
    for (const [name, text] of Object.entries(files))
      await writeFile(join(fsRoot, path, name), text)
  }

  const options = (layout: string, extra: object = {}) => ({
    mountinfoFile: join(RECORDED, layout, 'mountinfo'),
    cgroupFile: join(RECORDED, layout, 'cgroup'),
    fsRoot,
    ...extra,
  })

  it('takes cgroup v2 when it offers memory and pids to children', async () => {
    await cgroupDir('sys/fs/cgroup/system.slice/omertaos.service', {
      'cgroup.controllers': 'cpu io memory pids',
      'cgroup.subtree_control': 'cpu memory pids',
    })
    expect(await detectCgroups(options('systemd-v2'))).toEqual({
      version: 2,
      parent: join(fsRoot, 'sys/fs/cgroup/system.slice/omertaos.service'),
      cpu: true,
    })
  })

  it('uses a configured root instead of its own cgroup', async () => {
    await cgroupDir('sys/fs/cgroup/aion', {
      'cgroup.controllers': 'memory pids',
      'cgroup.subtree_control': 'memory pids',
    })
    const found = await detectCgroups(options('systemd-v2', { root: '/aion' }))
    expect(found).toEqual({ version: 2, parent: join(fsRoot, 'sys/fs/cgroup/aion'), cpu: false })
  })

  it('says why v2 is unusable when its cgroup cannot delegate the controllers', async () => {
    await cgroupDir('sys/fs/cgroup/system.slice/omertaos.service', {
      'cgroup.controllers': 'cpu io memory pids',
      'cgroup.subtree_control': '',
    })
    const found = await detectCgroups(options('systemd-v2'))
    expect(found.version).toBe('none')
    expect(found.version === 'none' && found.reason).toMatch(/cannot delegate memory and pids/)
    expect(found.version === 'none' && found.reason).toMatch(/no cgroup v1 hierarchy/)
  })

  it('falls back to v1 on a hybrid host whose cgroup2 mount lacks memory and pids', async () => {
    await cgroupDir('sys/fs/cgroup/unified', { 'cgroup.controllers': 'hugetlb' })
    await cgroupDir('sys/fs/cgroup/memory/process_api/3f9c2e7a')
    await cgroupDir('sys/fs/cgroup/pids')
    await cgroupDir('sys/fs/cgroup/cpu')
    expect(await detectCgroups(options('hybrid-v1'))).toEqual({
      version: 1,
      memoryParent: join(fsRoot, 'sys/fs/cgroup/memory/process_api/3f9c2e7a'),
      pidsParent: join(fsRoot, 'sys/fs/cgroup/pids'),
      cpuParent: join(fsRoot, 'sys/fs/cgroup/cpu'),
    })
  })

  it('reports none, with every reason, when no hierarchy is usable', async () => {
    await cgroupDir('sys/fs/cgroup/unified', { 'cgroup.controllers': 'hugetlb' })
    const found = await detectCgroups(options('hybrid-v1'))
    expect(found.version).toBe('none')
    expect(found.version === 'none' && found.reason).toMatch(/does not offer memory and pids/)
    expect(found.version === 'none' && found.reason).toMatch(/cannot create cgroups under/)
  })
})

const support = await detectCgroups()
const probe: EngineProbe<Exclude<CgroupSupport, { version: 'none' }>> =
  support.version === 'none' ? { ok: false, reason: support.reason } : { ok: true, value: support }

// The sandbox needs cgroups; where it runs (CI installs bubblewrap and runs as root) so must this.
describeWithEngine('bubblewrap', probe, (found) => {
  it('creates a call cgroup with its limits, kills what runs in it, and removes it', async () => {
    const cgroup = await CallCgroup.create(found, {
      memoryBytes: 64 * 1024 * 1024,
      pidsMax: 7,
      cpuCores: 0.5,
    })
    const dirs = cgroup.directories()
    const pidsDir = (found.version === 2 ? dirs[0] : dirs[1]) as string
    expect((await readFile(join(pidsDir, 'pids.max'), 'utf8')).trim()).toBe('7')
    const memoryFile = found.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'
    expect((await readFile(join(dirs[0] as string, memoryFile), 'utf8')).trim()).toBe(
      String(64 * 1024 * 1024),
    )

    const child = spawn('sleep', ['30'], { stdio: 'ignore' })
    const exited = new Promise((done) => child.on('exit', (_code, signal) => done(signal)))
    await cgroup.attach(child.pid as number)
    expect(await readFile(join(pidsDir, 'cgroup.procs'), 'utf8')).toContain(String(child.pid))
    await cgroup.kill()
    expect(await exited).toBe('SIGKILL')
    expect(await cgroup.limitsHit()).toEqual({ memory: false, pids: false })
    const cpuDir =
      found.version === 2 ? (found.cpu ? dirs[0] : undefined) : found.cpuParent && dirs[2]
    if (cpuDir) {
      const quota = await readFile(
        join(cpuDir, found.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us'),
        'utf8',
      )
      expect(quota.trim()).toMatch(/^50000( 100000)?$/)
    }
    await cgroup.remove()
    for (const dir of dirs) await expect(stat(dir)).rejects.toThrow()
  })
})
