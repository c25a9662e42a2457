/**
 * What a cross-file rule reports, and the narrowing it reads data with: the
 * data may be schema-invalid, so rules never trust its shape.
 */
import { RegistryDanglingRefError, RegistryInconsistentError } from '../errors/index.js'
import type { RegistryFileName } from './registry-types.js'

/** A broken rule, before it is located in its file. */
export interface RuleFinding {
  readonly name: RegistryFileName
  readonly code: string
  readonly path: string
  readonly message: string
}

/** The parsed data of each file that parsed. */
export type ParsedData = Partial<Record<RegistryFileName, unknown>>

/** A plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** The entries of an array, or none. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/** Whether `record` has `key` as its own property (never via the prototype). */
export function hasKey(record: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(record, key)
}

/** A reference that does not resolve. */
export function dangling(name: RegistryFileName, path: string, message: string): RuleFinding {
  return { name, code: RegistryDanglingRefError.code, path, message }
}

/** Values that contradict each other. */
export function inconsistent(name: RegistryFileName, path: string, message: string): RuleFinding {
  return { name, code: RegistryInconsistentError.code, path, message }
}
