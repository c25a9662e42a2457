/**
 * The floor for a Node gateway that keeps a durable record of every call: the
 * bare Fastify + undici pass-through (bare-passthrough.ts) that also writes,
 * before it answers, what OMERTAOS writes for an api-route task — the task row
 * in its final state, seven outbox events of the same sizes, a usage row and
 * an audit row — into the same SQLite schema (the store's migrations), with
 * the same settings (WAL, synchronous=NORMAL, the background checkpointer),
 * with every request of one event-loop turn in one transaction and prepared
 * statements: the least work such a record can cost on one event loop, with
 * none of OMERTAOS's auth, validation, routing or orchestration.
 *
 * With `two-phase` after the upstream's URL it is the floor (b3): the same
 * record written as OMERTAOS's task state machine writes it — the task row
 * `running` (with its lease) and the queued, routed, decision and running
 * events committed *before* the upstream is called, so that a crash during
 * the call leaves a task recovery can find; then the row updated to its end
 * and the rest written before the answer. Two commits per call instead of
 * one, each batched per event-loop turn.
 * Started by gateway-comparison.ts; prints its URL on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteDatabase } from '../src/storage/sqlite/driver.js'
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js'
import { WalCheckpointer } from '../src/storage/sqlite/wal-checkpointer.js'
import { WriteGate } from '../src/storage/sqlite/write-gate.js'
import { servePassThrough } from './pass-through-app.js'

const upstream = new URL(process.argv[2] ?? '')
const twoPhase = process.argv[3] === 'two-phase'
const dataDir = mkdtempSync(join(tmpdir(), 'aion-bench-persisted-'))
const migrating = await SqliteStore.open({ dataDir })
await migrating.migrate()
await migrating.close()
const database = openSqliteDatabase({ dataDir })
// As the store does: the checkpointer's restarts of the log hold the commits at
// this gate (asynchronously) instead of making them wait in SQLite's busy handler.
const gate = new WriteGate()
await WalCheckpointer.start(database, gate)

const insertTask = database.prepare(
  `insert into tasks (tenant_id, task_id, intent, status, route, engine, request, output,
     input_tokens, output_tokens, cost_usd, duration_ms, error, decision, trace_id,
     idempotency_key, created_at, updated_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
)
const insertRunningTask = database.prepare(
  `insert into tasks (tenant_id, task_id, intent, status, route, engine, request, decision,
     trace_id, idempotency_key, attempt, lease_owner, lease_expires_at, created_at, updated_at)
   values (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
)
const finishTask = database.prepare(
  `update tasks set status = ?, output = ?, input_tokens = ?, output_tokens = ?, cost_usd = ?,
     duration_ms = ?, lease_owner = null, lease_expires_at = null, updated_at = ?
   where tenant_id = ? and task_id = ? and status in ('running')`,
)
const insertEvent = database.prepare(
  'insert into outbox (tenant_id, topic, key, payload, created_at) values (?, ?, ?, ?, ?)',
)
const insertUsage = database.prepare(
  `insert into usage_billing (tenant_id, task_id, provider, model, module, input_tokens,
     output_tokens, cost_usd, duration_ms, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
)
const insertAudit = database.prepare(
  'insert into audit_activity (tenant_id, actor, action, target, outcome, details, at) values (?, ?, ?, ?, ?, ?, ?)',
)

interface Call {
  readonly phase: 'admit' | 'record'
  readonly id: string
  readonly request: unknown
  readonly answer: string
  readonly done: () => void
}

const engine = {
  kind: 'model',
  name: 'openai:gpt-4.1-mini',
  provider: 'openai',
  model: 'gpt-4.1-mini',
  tier: 'tier1',
}
/** A routing decision of the size OMERTAOS stores (≈ 550 bytes of JSON). */
const decision = {
  route: 'api',
  engine,
  tier: 'tier1',
  reason_codes: ['ROUTE_REQUESTED', 'TIER_ALLOWED', 'BUDGET_WITHIN_LIMIT'],
  estimates: { input_tokens: 11, output_tokens: 512, cost_usd: 0.0008236, latency_ms: 4496 },
  fallbacks: [{ route: 'api', engine: { ...engine, name: 'openai:gpt-4.1', model: 'gpt-4.1' } }],
  registry_version: 1,
}

function lifecycle(id: string, status: string, at: string): string {
  return JSON.stringify({
    task_id: id,
    status,
    intent: 'answer',
    route: 'api',
    engine: engine.name,
    error_code: null,
    trace_id: 'trace',
    at,
  })
}

/** (b3)'s first write: what the state machine writes when it admits, routes and starts a task. */
function admit(call: Call, at: string, leaseUntil: string): void {
  insertRunningTask.run(
    'default',
    call.id,
    'answer',
    'api',
    JSON.stringify(engine),
    JSON.stringify(call.request),
    JSON.stringify(decision),
    'trace',
    null,
    'bench-process',
    leaseUntil,
    at,
    at,
  )
  admissionEvents(call, at)
}

/** The events of admitting, routing and starting a task, as the state machine logs them. */
function admissionEvents(call: Call, at: string): void {
  for (const status of ['queued', 'routed']) {
    insertEvent.run('default', 'aion.tasks.lifecycle', call.id, lifecycle(call.id, status, at), at)
  }
  insertEvent.run(
    'default',
    'aion.router.decisions',
    call.id,
    JSON.stringify({ task_id: call.id, decision }),
    at,
  )
  insertEvent.run('default', 'aion.tasks.lifecycle', call.id, lifecycle(call.id, 'running', at), at)
}

/** The record of an answered call: all of it (b2), or what follows the admission (b3). */
function record(call: Call, at: string): void {
  const output = JSON.stringify({ text: call.answer.slice(0, 40) })
  if (twoPhase) {
    finishTask.run('succeeded', output, 19, 5, 0.0000156, 18, at, 'default', call.id)
  } else {
    insertTask.run(
      'default',
      call.id,
      'answer',
      'succeeded',
      'api',
      JSON.stringify(engine),
      JSON.stringify(call.request),
      output,
      19,
      5,
      0.0000156,
      18,
      null,
      JSON.stringify(decision),
      'trace',
      null,
      at,
      at,
    )
    admissionEvents(call, at)
  }
  insertEvent.run(
    'default',
    'aion.tasks.lifecycle',
    call.id,
    lifecycle(call.id, 'succeeded', at),
    at,
  )
  recordRest(call, at)
}

/** What both floors write after the call: the metrics and audit events, the usage and audit rows. */
function recordRest(call: Call, at: string): void {
  insertEvent.run(
    'default',
    'aion.runtime.metrics',
    call.id,
    JSON.stringify({
      task_id: call.id,
      engine: engine.name,
      kind: 'model',
      route: 'api',
      attempt: 1,
      duration_ms: 18,
      input_tokens: 19,
      output_tokens: 5,
      cost_usd: 0.0000156,
      outcome: 'success',
      error_code: null,
    }),
    at,
  )
  insertEvent.run(
    'default',
    'aion.audit.activity',
    call.id,
    JSON.stringify({
      actor: { kind: 'api_key', id: 'bench' },
      action: 'task.submit',
      target: call.id,
      outcome: 'success',
      details: { intent: 'answer', route: 'api' },
      at,
    }),
    at,
  )
  insertUsage.run('default', call.id, 'openai', engine.name, null, 19, 5, 0.0000156, 18, at)
  insertAudit.run(
    'default',
    'api_key:bench',
    'task.submit',
    call.id,
    'success',
    '{"intent":"answer","route":"api"}',
    at,
  )
}

/**
 * Writes of one event-loop turn, in one transaction (as the store's group
 * commit does: admissions and records of the same turn together); each call
 * goes on once it has committed.
 */
const pending: Call[] = []
const writeTurn = database.transaction((calls: readonly Call[]) => {
  const at = new Date().toISOString()
  const leaseUntil = new Date(Date.now() + 30_000).toISOString()
  for (const call of calls) {
    if (call.phase === 'admit') admit(call, at, leaseUntil)
    else record(call, at)
  }
})

function commitSoon(call: Call): void {
  pending.push(call)
  if (pending.length === 1) setImmediate(() => void commitPending())
}

async function commitPending(): Promise<void> {
  await gate.enter()
  const batch = pending.splice(0)
  try {
    writeTurn(batch)
  } finally {
    gate.leave()
  }
  for (const call of batch) call.done()
}

let sequence = 0
process.once('SIGTERM', () => {
  database.close()
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(0)
})
await servePassThrough(upstream, {
  beforeCall: twoPhase
    ? (request) => {
        const id = `tsk_${process.pid}_${sequence++}`
        return new Promise<string>((done) =>
          commitSoon({ phase: 'admit', id, request, answer: '', done: () => done(id) }),
        )
      }
    : undefined,
  beforeAnswer: (request, answer, admitted) => {
    const id = admitted ?? `tsk_${process.pid}_${sequence++}`
    return new Promise<void>((done) => commitSoon({ phase: 'record', id, request, answer, done }))
  },
})
