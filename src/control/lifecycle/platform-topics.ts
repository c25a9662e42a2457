/**
 * The topics of the platform's event log and the payloads the control plane
 * writes to them. Each event is enqueued in the outbox in the transaction of
 * the state change it reports.
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import type { NewAuditRecord, NewOutboxEvent, TaskRecord } from '../../storage/index.js'
import type { AuditOutcome, JsonValue } from '../../core/domain/index.js'
import type { Actor } from '../../core/domain/index.js'

/** Topic names (Kafka topics in scale-out, the outbox's `topic` here). */
export const topics = {
  lifecycle: 'aion.tasks.lifecycle',
  decisions: 'aion.router.decisions',
  metrics: 'aion.runtime.metrics',
  audit: 'aion.audit.activity',
} as const

/** A task's new status. */
export function lifecycleEvent(record: TaskRecord): NewOutboxEvent {
  return {
    tenantId: record.tenant_id,
    topic: topics.lifecycle,
    key: record.task_id,
    payload: {
      task_id: record.task_id,
      status: record.status,
      intent: record.intent,
      route: record.route,
      engine: record.engine?.name ?? null,
      error_code: record.error?.code ?? null,
      trace_id: record.trace_id,
      at: record.updated_at,
    },
    createdAt: record.updated_at,
  }
}

/** The router's decision for a task. */
export function decisionEvent(record: TaskRecord, decision: RoutingDecision): NewOutboxEvent {
  return {
    tenantId: record.tenant_id,
    topic: topics.decisions,
    key: record.task_id,
    payload: {
      task_id: record.task_id,
      intent: record.intent,
      trace_id: record.trace_id,
      decision: decision as unknown as JsonValue,
    },
    createdAt: record.updated_at,
  }
}

/** One execution of one engine for a task, successful or not. */
export interface ExecutionMetric {
  readonly engine: string
  readonly kind: string
  readonly route: string
  readonly attempt: number
  readonly durationMs: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  readonly outcome: 'success' | 'failure' | 'cancelled' | 'timed_out'
  readonly errorCode?: string
  /** For one step of a pipeline: the pipeline and the step's index (from 0). */
  readonly step?: { readonly pipeline: string; readonly index: number }
}

export function metricEvent(tenantId: string, taskId: string, m: ExecutionMetric): NewOutboxEvent {
  return {
    tenantId,
    topic: topics.metrics,
    key: taskId,
    payload: {
      task_id: taskId,
      engine: m.engine,
      kind: m.kind,
      route: m.route,
      attempt: m.attempt,
      duration_ms: m.durationMs,
      input_tokens: m.inputTokens,
      output_tokens: m.outputTokens,
      cost_usd: m.costUsd,
      outcome: m.outcome,
      error_code: m.errorCode ?? null,
      ...(m.step ? { pipeline: m.step.pipeline, step: m.step.index } : {}),
    },
  }
}

/** Who did what to which target, with what outcome: a row and its event. */
export interface AuditEntry {
  readonly actor: Actor
  readonly action: string
  readonly target: string
  readonly outcome: AuditOutcome
  readonly details?: { readonly [key: string]: JsonValue }
}

/** The `audit_activity` row of an audit entry. */
export function auditRecord(entry: AuditEntry, at: string): NewAuditRecord {
  return {
    tenantId: entry.actor.tenantId,
    actor: `${entry.actor.kind}:${entry.actor.id}`,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    details: entry.details ?? null,
    at,
  }
}

/** The `aion.audit.activity` event of an audit entry. */
export function auditEvent(entry: AuditEntry, at: string): NewOutboxEvent {
  return {
    tenantId: entry.actor.tenantId,
    topic: topics.audit,
    key: entry.target,
    payload: {
      actor: { kind: entry.actor.kind, id: entry.actor.id },
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      details: entry.details ?? null,
      at,
    },
    createdAt: at,
  }
}
