/**
 * The room rule of DESIGN.md is enforced by ESLint. These tests lint small
 * snippets placed (virtually) in a room and prove that imports pointing up
 * are rejected and imports pointing down pass.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { rooms } from '../eslint.config.js'

const eslint = new ESLint()

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`)
}

describe('architecture lint rule', () => {
  it('covers every room of DESIGN.md', () => {
    expect(Object.keys(rooms).sort()).toEqual([
      'cli',
      'contracts',
      'control',
      'core',
      'distribution',
      'gateway',
      'providers',
      'runtime',
      'sdk',
      'server',
      'storage',
    ])
  })

  it('rejects an import that points up (core → gateway)', async () => {
    const messages = await lintAs(
      'src/core/probe.ts',
      "import { buildGateway } from '../gateway/gateway.js'\nexport const probe = buildGateway\n",
    )
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(
      /^import-x\/no-restricted-paths: .*core room may not import gateway/,
    )
  })

  it('rejects the gateway reaching past the control plane into storage', async () => {
    const messages = await lintAs(
      'src/gateway/probe.ts',
      "import { openStore } from '../storage/index.js'\nexport const probe = openStore\n",
    )
    expect(messages.join('\n')).toMatch(/gateway room may not import storage/)
  })

  it('rejects contracts importing code', async () => {
    const messages = await lintAs(
      'contracts/probe.ts',
      "import { AionError } from '../src/core/errors/index.js'\nexport const probe = AionError\n",
    )
    expect(messages.join('\n')).toMatch(/contracts room may not import core/)
  })

  it('keeps runtime to module execution: no storage, no distribution', async () => {
    const storage = await lintAs(
      'src/runtime/probe.ts',
      "import { openStore } from '../storage/index.js'\nexport const probe = openStore\n",
    )
    expect(storage.join('\n')).toMatch(/runtime room may not import storage/)
    const distribution = await lintAs(
      'src/runtime/probe.ts',
      "import { PackageInstaller } from '../distribution/install/index.js'\nexport const probe = PackageInstaller\n",
    )
    expect(distribution.join('\n')).toMatch(/runtime room may not import distribution/)
    // Its tests build executors from real packages read by the distribution room.
    const test = await lintAs(
      'src/runtime/probe.test.ts',
      "import { loadPackages } from '../distribution/aip/index.js'\nexport const probe = loadPackages\n",
    )
    expect(test).toEqual([])
  })

  it('lets distribution stand on runtime but not on control', async () => {
    const down = await lintAs(
      'src/distribution/probe.ts',
      "import type { ModuleExecutor } from '../runtime/module-executor.js'\nexport type Probe = ModuleExecutor\n",
    )
    expect(down).toEqual([])
    const up = await lintAs(
      'src/distribution/probe.ts',
      "import { EmbeddedControlPlane } from '../control/embedded-control-plane.js'\nexport const probe = EmbeddedControlPlane\n",
    )
    expect(up.join('\n')).toMatch(/distribution room may not import control/)
  })

  it('gives the control plane installs through a port, not the distribution room', async () => {
    const messages = await lintAs(
      'src/control/probe.ts',
      "import { PackageInstaller } from '../distribution/install/index.js'\nexport const probe = PackageInstaller\n",
    )
    expect(messages.join('\n')).toMatch(/control room may not import distribution/)
  })

  it('accepts an import that points down (server → gateway)', async () => {
    const messages = await lintAs(
      'src/server/probe.ts',
      "import { buildGateway } from '../gateway/gateway.js'\nexport const probe = buildGateway\n",
    )
    expect(messages).toEqual([])
  })

  it('keeps database drivers inside their adapter', async () => {
    const outside = await lintAs(
      'src/control/probe.ts',
      "import pg from 'pg'\nexport const probe = pg\n",
    )
    expect(outside.join('\n')).toMatch(
      /no-restricted-imports: .*pg only inside src\/storage\/postgres/,
    )
    const redis = await lintAs(
      'src/gateway/probe.ts',
      "import { Redis } from 'ioredis'\nexport const probe = Redis\n",
    )
    expect(redis.join('\n')).toMatch(
      /no-restricted-imports: .*ioredis only inside src\/storage\/redis/,
    )
  })
})

/** The source files under `dir` (tests and fixtures left out: they may reach across). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .filter((e) => !/\.(test|fixture|case)\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
}

/**
 * The folder-level import graph of `root`: an edge a → b when a file in
 * folder a imports a file in folder b (relative imports only). Files directly
 * in `root` (the room's interface and composition) are the node `(root)`.
 */
function folderGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  const folderOf = (file: string) => {
    const rel = relative(root, file)
    return rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '(root)'
  }
  for (const file of sourceFiles(root)) {
    const from = folderOf(file)
    const targets = graph.get(from) ?? new Set<string>()
    graph.set(from, targets)
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = resolve(dirname(file), match[1] as string)
      if (!target.startsWith(root + '/')) continue
      const to = folderOf(target)
      if (to !== from) targets.add(to)
    }
  }
  return graph
}

/** Every cycle's folders (one path per cycle found by depth-first search). */
function cyclesOf(graph: Map<string, Set<string>>): string[] {
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (node: string) => {
    state.set(node, 'open')
    path.push(node)
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        cycles.push([...path.slice(path.indexOf(next)), next].join(' → '))
      } else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(node, 'done')
  }
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node)
  return cycles
}

describe('folders of the control room', () => {
  const root = resolve(import.meta.dirname, '../src/control')

  it('import each other without a cycle', () => {
    const graph = folderGraph(root)
    // The graph is real: the orchestrator does use execution and lifecycle.
    expect(graph.get('orchestrator')).toContain('execution')
    expect(graph.get('orchestrator')).toContain('lifecycle')
    expect(graph.get('(root)')).toContain('orchestrator')
    expect(cyclesOf(graph)).toEqual([])
  })

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ])
    expect(cyclesOf(graph)).toEqual(['a → b → c → a'])
  })

  it('keeps the composition out of every folder', () => {
    const importers = sourceFiles(root).filter(
      (file) =>
        relative(root, file).includes('/') &&
        readFileSync(file, 'utf8').includes('embedded-control-plane.js'),
    )
    expect(importers).toEqual([])
  })
})
