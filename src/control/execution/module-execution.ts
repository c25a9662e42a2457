/** Running a module engine through the ModuleExecutor: its output is a `partial`, then the final. */
import { EngineUnavailableError } from '../../core/errors/index.js'
import { childTraceparent } from '../../core/traceparent.js'
import type { NewUsage } from '../../storage/index.js'
import type { JsonValue } from '../../core/domain/index.js'
import type { EngineOutcome, EngineTarget, ExecutionDeps } from './execution-deps.js'
import { remainingMs, type TaskContext } from './task-context.js'
import { taskPrivacy } from './task-privacy.js'

/** What one module call returned. */
export interface ModuleCall {
  readonly output: JsonValue
  readonly durationMs: number
}

/**
 * Calls module `name` on `input`, within the smallest of its manifest's
 * timeout, its modules.yml timeout and what is left of the task's deadline;
 * records its latency.
 */
export async function callModule(
  deps: ExecutionDeps,
  ctx: TaskContext,
  name: string,
  input: unknown,
  signal: AbortSignal,
): Promise<ModuleCall> {
  const module = deps.modules.modules().get(name)
  if (!module) throw new EngineUnavailableError({ engine: name, reason: 'module not installed' })
  const entry = ctx.registries.set.modules.modules.find((m) => m.name === name)
  const timeoutMs = Math.max(
    1,
    Math.min(module.timeoutMs, entry?.timeout_ms ?? module.timeoutMs, remainingMs(ctx)),
  )
  const traceparent = childTraceparent(ctx.traceId)
  const result = await deps.modules.run({
    module: name,
    input,
    signal,
    timeoutMs,
    ...(traceparent === undefined ? {} : { traceparent }),
    // The module holds the task's data: its network calls stay where the data may go.
    placement: taskPrivacy(ctx) === 'allow-api' ? 'anywhere' : 'on-premises',
  })
  const durationMs = Math.round(result.durationMs)
  deps.latency.record(name, durationMs)
  return { output: result.output as JsonValue, durationMs }
}

/** The `usage_billing` row of module calls (modules cost nothing). */
export function moduleUsage(ctx: TaskContext, name: string, durationMs: number): NewUsage {
  return {
    tenantId: ctx.tenantId,
    taskId: ctx.taskId,
    module: name,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    durationMs,
  }
}

/** Runs the module `target` names on the task's input. */
export async function runModule(
  deps: ExecutionDeps,
  ctx: TaskContext,
  target: EngineTarget,
  signal: AbortSignal,
): Promise<EngineOutcome> {
  const name = target.engine.name
  const { output, durationMs } = await callModule(deps, ctx, name, ctx.request.input, signal)
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
    usage: [moduleUsage(ctx, name, durationMs)],
  }
}
