/**
 * The store's hot statements, compiled once per shape. Kysely builds an
 * operation tree and compiles it to SQL on every call, which measured at
 * about a quarter of the server's CPU under load; each hot statement has a
 * handful of shapes (which columns a patch sets, how many rows an insert
 * carries), so a shape is built once with numbered slots in place of its
 * values, and afterwards a call only puts its values in the slots' order.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely'
import type { StoreEngine } from '../ports/store.js'
import type { Database } from './database.js'

/** Stands in for the value at `index` while a shape compiles. */
class Slot {
  constructor(readonly index: number) {}
}

interface Template {
  readonly sql: string
  /** For each parameter of the SQL, the index of the value that fills it. */
  readonly order: readonly number[]
}

/** Shapes are few and fixed by the code, so the cache stays small. */
const templates = new Map<string, Template>()

/**
 * Runs one bound statement on the connection a transaction holds, without
 * Kysely's executor (its connection provider, plugins and promise hops): SQLite
 * executes synchronously on its one connection, which the transaction holds
 * for as long as it runs. Throws the store's errors (already translated).
 */
export type StatementRunner = (
  sql: string,
  parameters: readonly unknown[],
) => QueryResult<Record<string, unknown>>

const runners = new WeakMap<Kysely<Database>, StatementRunner>()

/** Lets the templates run on `tx`'s connection directly while `tx` lives. */
export function runStatementsDirectly(tx: Kysely<Database>, runner: StatementRunner): void {
  runners.set(tx, runner)
}

/**
 * Fills the slots in a query shape. Typed as `never` so a slot fits any
 * column; at run time it is a marker object Kysely passes through as a parameter.
 */
export type SlotOf = (index: number) => never

function compileTemplate(key: string, build: (slot: SlotOf) => Compilable): Template {
  const compiled = build((index) => new Slot(index) as never).compile()
  const order = compiled.parameters.map((parameter) => {
    if (!(parameter instanceof Slot)) {
      throw new TypeError(`query template ${key}: every value must come from a slot`)
    }
    return parameter.index
  })
  return { sql: compiled.sql, order }
}

/**
 * Runs the shape named `key` (unique per engine and statement shape) with
 * `values`; `build` makes the shape the first time, with `slot(i)` where
 * `values[i]` goes.
 */
export function runTemplate(
  db: Kysely<Database>,
  engine: StoreEngine,
  key: string,
  values: readonly unknown[],
  build: (slot: SlotOf) => Compilable,
) {
  const cacheKey = `${engine}:${key}`
  let template = templates.get(cacheKey)
  if (template === undefined) {
    template = compileTemplate(key, build)
    templates.set(cacheKey, template)
  }
  const parameters = template.order.map((index) => values[index])
  const direct = runners.get(db)
  if (direct !== undefined) {
    try {
      return Promise.resolve(direct(template.sql, parameters))
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(template.sql, parameters))
}

/** Rows per multi-row INSERT: a dozen parameters each stays far below every engine's limit. */
const INSERT_CHUNK = 100

/**
 * Inserts `rows` (each with exactly `columns`) in order, in as few statements
 * as the chunk size allows, without reading them back: the append-only tables
 * (outbox, usage, audit) of a group commit.
 */
export async function insertRows<T extends keyof Database & string>(
  db: Kysely<Database>,
  engine: StoreEngine,
  table: T,
  columns: readonly string[],
  rows: readonly Readonly<Record<string, unknown>>[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK)
    const values = chunk.flatMap((row) => columns.map((column) => row[column]))
    await runTemplate(db, engine, `${table}.insert:${chunk.length}`, values, (slot) =>
      db
        .insertInto(table)
        .values(
          chunk.map((_, r) =>
            Object.fromEntries(columns.map((column, c) => [column, slot(r * columns.length + c)])),
          ) as never,
        ),
    )
  }
}
