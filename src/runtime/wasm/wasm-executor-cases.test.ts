/** The shared executor cases (module-executor.case.ts) on the WASM executor. */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runModuleExecutorSuite } from '../module-executor.case.js'
import { compileAssemblyScript } from '../test-packages.fixture.js'
import { createModuleExecutor } from './wasm-module-executor.js'
import { loadPackages } from '../../distribution/aip/index.js'

runModuleExecutorSuite('WASM executor', 'wasm', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aion-wasm-cases-'))
  const dir = join(root, 'case_probe')
  await cp(resolve('test/fixtures/modules/cases/wasm/case_probe'), dir, { recursive: true })
  const source = await readFile(join(dir, 'module.ts'), 'utf8')
  // 32 pages: the manifest's 2Mi.
  await compileAssemblyScript(source, join(dir, 'module.wasm'), ['--maximumMemory', '32'])
  const executor = await createModuleExecutor({ packages: await loadPackages(root), workers: 2 })
  return {
    executor,
    async close() {
      await executor.close()
      await rm(root, { recursive: true, force: true })
    },
  }
})
