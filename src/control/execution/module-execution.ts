/** Running a module engine through the ModuleExecutor: its output is a `partial`, then the final. */
import { EngineUnavailableError } from '../../core/errors/index.js'
import type { JsonValue } from '../../storage/index.js'
import type { EngineOutcome, EngineTarget, ExecutionDeps } from './execution-deps.js'
import { remainingMs, type TaskContext } from './task-context.js'

/** Runs the module `target` names on the task's input. */
export async function runModule(
  deps: ExecutionDeps,
  ctx: TaskContext,
  target: EngineTarget,
  signal: AbortSignal,
): Promise<EngineOutcome> {
  const name = target.engine.name
  const module = deps.modules.modules().get(name)
  if (!module) throw new EngineUnavailableError({ engine: name, reason: 'module not installed' })
  const entry = ctx.registries.set.modules.modules.find((m) => m.name === name)
  const timeoutMs = Math.max(
    1,
    Math.min(module.timeoutMs, entry?.timeout_ms ?? module.timeoutMs, remainingMs(ctx)),
  )
  const result = await deps.modules.run({
    module: name,
    input: ctx.request.input,
    signal,
    timeoutMs,
  })
  const durationMs = Math.round(result.durationMs)
  deps.latency.record(name, durationMs)
  const output = result.output as JsonValue
  if (output !== null && typeof output === 'object' && !Array.isArray(output)) {
    ctx.streamedOutput = true
    ctx.stream.partial(output)
  }
  return {
    output,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    durationMs,
    usage: {
      tenantId: ctx.tenantId,
      taskId: ctx.taskId,
      module: name,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      durationMs,
    },
  }
}
