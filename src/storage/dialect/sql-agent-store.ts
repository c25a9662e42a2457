import type { Kysely, Selectable } from 'kysely'
import type { AgentInput, AgentRecord, AgentStore } from '../ports/agent-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import type { Codec } from './codec.js'
import type { AgentsTable, Database } from './database.js'

/** {@link AgentStore} over the `agents` table. */
export class SqlAgentStore implements AgentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  async upsert(input: AgentInput): Promise<AgentRecord> {
    const at = this.codec.time(input.at)
    const spec = this.codec.json(input.spec) ?? 'null'
    const row = await this.db
      .insertInto('agents')
      .values({
        tenant_id: input.tenantId ?? DEFAULT_TENANT_ID,
        agent_id: input.agentId,
        name: input.name,
        spec,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'agent_id'])
          .doUpdateSet({ name: input.name, spec, updated_at: at }),
      )
      .returningAll()
      .executeTakeFirstOrThrow()
    return this.#record(row)
  }

  async get(tenantId: string, agentId: string): Promise<AgentRecord | undefined> {
    const row = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .executeTakeFirst()
    return row && this.#record(row)
  }

  async list(tenantId: string): Promise<AgentRecord[]> {
    const rows = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('agent_id', 'asc')
      .execute()
    return rows.map((row) => this.#record(row))
  }

  #record(row: Selectable<AgentsTable>): AgentRecord {
    return {
      tenantId: row.tenant_id,
      agentId: row.agent_id,
      name: row.name,
      spec: this.codec.readJson(row.spec),
      createdAt: this.codec.readTime(row.created_at),
      updatedAt: this.codec.readTime(row.updated_at),
    }
  }
}
