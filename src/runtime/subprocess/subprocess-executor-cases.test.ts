/** The shared executor cases (module-executor.case.ts) on the subprocess executor, in real bubblewrap. */
import { describeWithEngine, type EngineProbe } from '../../../test/support/engines.js'
import { runModuleExecutorSuite } from '../module-executor.case.js'
import { probeSandbox, type SandboxStatus } from './sandbox-probe.js'
import { createSubprocessExecutor } from './subprocess-executor.js'
import { loadPackages } from '../../distribution/aip/index.js'

const status = await probeSandbox()
const probe: EngineProbe<SandboxStatus> = status.available
  ? { ok: true, value: status }
  : { ok: false, reason: status.reason }

describeWithEngine('bubblewrap', probe, () => {
  runModuleExecutorSuite('subprocess executor', 'subprocess', async () => {
    const executor = await createSubprocessExecutor({
      packages: await loadPackages('test/fixtures/modules/cases/subprocess', {
        runtimes: ['subprocess'],
      }),
    })
    return { executor, close: () => executor.close() }
  })
})
