import type { JsonValue } from '../../core/domain/index.js'

/** A registered agent: a name and its specification. */
export interface AgentRecord {
  readonly tenantId: string
  readonly agentId: string
  readonly name: string
  readonly spec: JsonValue
  readonly createdAt: string
  readonly updatedAt: string
}

/** What {@link AgentStore.upsert} needs. */
export interface AgentInput {
  /** @default 'default' */
  readonly tenantId?: string
  readonly agentId: string
  readonly name: string
  readonly spec: JsonValue
  /** ISO-8601; @default now */
  readonly at?: string
}

/** The `agents` table. */
export interface AgentStore {
  /** Inserts or replaces by `(tenantId, agentId)`; `createdAt` keeps the first write. */
  upsert(input: AgentInput): Promise<AgentRecord>
  get(tenantId: string, agentId: string): Promise<AgentRecord | undefined>
  list(tenantId: string): Promise<AgentRecord[]>
}
