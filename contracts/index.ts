/**
 * The contracts room: JSON Schemas (draft 2020-12), the aion.v1 proto and
 * sample payloads. This file only locates and reads them; validation lives in
 * core. Every schema file is `schemas/<name>.schema.json` with
 * `$id: https://omertaos.dev/schemas/v1/<name>.schema.json`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const contractsDir = fileURLToPath(new URL('.', import.meta.url))
export const schemasDir = fileURLToPath(new URL('./schemas/', import.meta.url))
export const samplesDir = fileURLToPath(new URL('./samples/', import.meta.url))
export const protoDir = fileURLToPath(new URL('./proto/', import.meta.url))

export const schemaIdBase = 'https://omertaos.dev/schemas/v1/'

export interface ContractSchema {
  readonly name: string
  readonly $id: string
  readonly schema: Record<string, unknown>
}

/** Reads every schema under `schemas/`, sorted by name. */
export function readContractSchemas(): ContractSchema[] {
  return readdirSync(schemasDir)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()
    .map((file) => {
      const schema = JSON.parse(readFileSync(schemasDir + file, 'utf8')) as Record<string, unknown>
      const name = file.slice(0, -'.schema.json'.length)
      return { name, $id: `${schemaIdBase}${file}`, schema }
    })
}
