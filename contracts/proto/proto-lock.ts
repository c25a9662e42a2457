/**
 * The field-number lock of the aion.v1 proto: every message field (number, type, label, oneof),
 * enum value and RPC ever published, recorded in `aion/v1/field-numbers.lock.json`. The proto
 * may only grow: {@link compareWithLock} reports anything locked that disappeared or changed.
 * A locked field may be missing only when its number and name are both `reserved`.
 *
 * Run `npx tsx contracts/proto/proto-lock.ts` after adding fields: it appends the new entries
 * to the lock and refuses to write while any locked entry is broken.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import protobuf from 'protobufjs'

/** The public proto file. */
export const aionProtoPath = fileURLToPath(new URL('./aion/v1/aion.proto', import.meta.url))
/** The lock file beside it. */
export const fieldLockPath = fileURLToPath(
  new URL('./aion/v1/field-numbers.lock.json', import.meta.url),
)

/** One locked message field. */
export interface LockedField {
  readonly id: number
  /** Scalar type (`string`, `uint32`) or full message/enum name (`aion.v1.Engine`). */
  readonly type: string
  /** `singular`, `optional` (proto3 explicit presence), `repeated` or `map<keyType>`. */
  readonly label: string
  /** The (non-synthetic) oneof the field belongs to. */
  readonly oneof?: string
}

/** One locked RPC. */
export interface LockedMethod {
  readonly request: string
  readonly response: string
  readonly requestStream: boolean
  readonly responseStream: boolean
}

/** The whole lock: full name → member name → shape. */
export interface ProtoLock {
  readonly messages: Record<string, Record<string, LockedField>>
  readonly enums: Record<string, Record<string, number>>
  readonly services: Record<string, Record<string, LockedMethod>>
}

/** Parses the proto (field names kept as written) and resolves every type. */
export function loadAionProto(path: string = aionProtoPath): protobuf.Root {
  const root = new protobuf.Root()
  root.loadSync(path, { keepCase: true })
  root.resolveAll()
  return root
}

const packagePrefix = 'aion.v1.'
const fullName = (reflection: protobuf.ReflectionObject): string => reflection.fullName.slice(1)

function describeField(field: protobuf.Field): LockedField {
  const type = field.resolvedType ? fullName(field.resolvedType) : field.type
  const isOptional = field.options?.proto3_optional === true
  const label =
    field instanceof protobuf.MapField
      ? `map<${field.keyType}>`
      : field.repeated
        ? 'repeated'
        : isOptional
          ? 'optional'
          : 'singular'
  const oneof = !isOptional && field.partOf ? field.partOf.name : undefined
  return oneof === undefined ? { id: field.id, type, label } : { id: field.id, type, label, oneof }
}

function collect(namespace: protobuf.NamespaceBase, lock: ProtoLock): void {
  for (const nested of namespace.nestedArray) {
    const name = fullName(nested)
    if (nested instanceof protobuf.Type) {
      if (name.startsWith(packagePrefix))
        lock.messages[name] = Object.fromEntries(
          nested.fieldsArray.map((field) => [field.name, describeField(field)]),
        )
    } else if (nested instanceof protobuf.Enum) {
      if (name.startsWith(packagePrefix)) lock.enums[name] = { ...nested.values }
    } else if (nested instanceof protobuf.Service) {
      lock.services[name] = Object.fromEntries(
        nested.methodsArray.map((method) => [
          method.name,
          {
            request: fullName(method.resolvedRequestType!),
            response: fullName(method.resolvedResponseType!),
            requestStream: method.requestStream === true,
            responseStream: method.responseStream === true,
          },
        ]),
      )
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type)
      collect(nested, lock)
  }
}

/** The current shape of the proto, in lock form. */
export function describeAionProto(root: protobuf.Root = loadAionProto()): ProtoLock {
  const lock: ProtoLock = { messages: {}, enums: {}, services: {} }
  collect(root, lock)
  return lock
}

/** Reads the committed lock. */
export function readFieldLock(): ProtoLock {
  return JSON.parse(readFileSync(fieldLockPath, 'utf8')) as ProtoLock
}

function isRetired(root: protobuf.Root, message: string, field: string, id: number): boolean {
  const type = root.lookupType(message)
  const reserved = type.reserved ?? []
  const nameReserved = reserved.some((entry) => entry === field)
  const idReserved = reserved.some((r) => Array.isArray(r) && id >= r[0]! && id <= r[1]!)
  return nameReserved && idReserved
}

/** Everything locked that the current proto broke: removed, renumbered or retyped. */
export function compareWithLock(
  lock: ProtoLock,
  current: ProtoLock,
  root: protobuf.Root = loadAionProto(),
): string[] {
  const problems: string[] = []
  for (const [message, fields] of Object.entries(lock.messages)) {
    const now = current.messages[message]
    if (!now) {
      problems.push(`message ${message} was removed`)
      continue
    }
    for (const [field, locked] of Object.entries(fields)) {
      const actual = now[field]
      if (!actual) {
        if (!isRetired(root, message, field, locked.id))
          problems.push(`${message}.${field} (= ${locked.id}) was removed without reserving it`)
      } else if (JSON.stringify(actual) !== JSON.stringify(locked)) {
        problems.push(
          `${message}.${field} changed: ${JSON.stringify(locked)} → ${JSON.stringify(actual)}`,
        )
      }
    }
  }
  compareMembers('enum', lock.enums, current.enums, problems)
  compareMembers('service', lock.services, current.services, problems)
  return problems
}

function compareMembers<T>(
  what: string,
  locked: Record<string, Record<string, T>>,
  current: Record<string, Record<string, T>>,
  problems: string[],
): void {
  for (const [name, members] of Object.entries(locked)) {
    const now = current[name]
    if (!now) {
      problems.push(`${what} ${name} was removed`)
      continue
    }
    for (const [member, value] of Object.entries(members)) {
      if (!(member in now)) problems.push(`${what} ${name}.${member} was removed`)
      else if (JSON.stringify(now[member]) !== JSON.stringify(value))
        problems.push(
          `${what} ${name}.${member} changed: ${JSON.stringify(value)} → ${JSON.stringify(now[member])}`,
        )
    }
  }
}

/** Entries of the current proto not yet in the lock (`Message.field`, `Enum.VALUE`, `Service.Rpc`). */
export function unlockedEntries(lock: ProtoLock, current: ProtoLock): string[] {
  const missing: string[] = []
  for (const kind of ['messages', 'enums', 'services'] as const) {
    for (const [name, members] of Object.entries(current[kind])) {
      for (const member of Object.keys(members))
        if (!(member in (lock[kind][name] ?? {}))) missing.push(`${name}.${member}`)
    }
  }
  return missing
}

/** The lock with the current proto's new entries added; locked entries kept as they were. */
export function extendLock(lock: ProtoLock, current: ProtoLock): ProtoLock {
  const merge = <T>(
    old: Record<string, Record<string, T>>,
    now: Record<string, Record<string, T>>,
  ) =>
    Object.fromEntries(
      [...new Set([...Object.keys(old), ...Object.keys(now)])]
        .sort()
        .map((name) => [name, { ...now[name], ...old[name] }]),
    )
  return {
    messages: merge(lock.messages, current.messages),
    enums: merge(lock.enums, current.enums),
    services: merge(lock.services, current.services),
  }
}

function readLockOrEmpty(): ProtoLock {
  try {
    return readFieldLock()
  } catch {
    return { messages: {}, enums: {}, services: {} }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = loadAionProto()
  const current = describeAionProto(root)
  const lock = readLockOrEmpty()
  const problems = compareWithLock(lock, current, root)
  if (problems.length > 0) {
    console.error(
      `refusing to update the lock; the proto broke locked entries:\n${problems.join('\n')}`,
    )
    process.exit(1)
  }
  const added = unlockedEntries(lock, current)
  writeFileSync(fieldLockPath, `${JSON.stringify(extendLock(lock, current), null, 2)}\n`)
  console.log(`field-numbers.lock.json: ${added.length} entries added`)
}
