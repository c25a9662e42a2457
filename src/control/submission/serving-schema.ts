/**
 * The input schema that serves an intent (DESIGN.md: one intent keeps one
 * input shape across routes): the schema of a local module that declares the
 * intent, else the intent's own `input_schema`, else any object. Validators
 * are compiled once per registry set (a new version compiles afresh) and
 * reused for every request.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { toViolations } from '../../core/contracts/contract-validator.js'
import { RequestInvalidError } from '../../core/errors/index.js'
import type { RegistrySet } from '../../core/registry/index.js'
import type { ModuleDescriptor } from '../../runtime/module-executor.js'

// ajv-formats is CommonJS with `module.exports = formatsPlugin`.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

/** A validator of one intent's input, or `null` when nothing constrains it. */
type InputCheck = ValidateFunction | null

/** Validates task inputs against the schema that serves each intent. */
export class ServingSchemas {
  readonly #modules: () => ReadonlyMap<string, ModuleDescriptor>
  readonly #bySet = new WeakMap<RegistrySet, Map<string, InputCheck>>()
  // Module and intent schemas are third-party JSON Schemas: accept their keywords loosely.
  readonly #ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }))

  constructor(modules: () => ReadonlyMap<string, ModuleDescriptor>) {
    this.#modules = modules
  }

  /** The module serving `intent` under `set`: installed, and listed for it in modules.yml. */
  servingModule(set: RegistrySet, intent: string): ModuleDescriptor | undefined {
    const installed = this.#modules()
    for (const entry of set.modules.modules) {
      if (!entry.intents.includes(intent)) continue
      const module = installed.get(entry.name)
      if (module?.intents.includes(intent)) return module
    }
    return undefined
  }

  /** Throws AION_REQUEST_INVALID listing every violation (paths under `/input`). */
  check(set: RegistrySet, intent: string, input: unknown): void {
    const validate = this.#validator(set, intent)
    if (validate === null || validate(input)) return
    const violations = toViolations(validate.errors).map((v) => ({
      ...v,
      path: `/input${v.path}`,
    }))
    throw new RequestInvalidError({ violations })
  }

  #validator(set: RegistrySet, intent: string): InputCheck {
    let cache = this.#bySet.get(set)
    if (!cache) {
      cache = new Map()
      this.#bySet.set(set, cache)
    }
    const cached = cache.get(intent)
    if (cached !== undefined) return cached
    const schema =
      this.servingModule(set, intent)?.inputSchema ??
      (set.intents[intent]?.input_schema as Record<string, unknown> | undefined)
    const check = schema === undefined ? null : this.#compile(schema)
    cache.set(intent, check)
    return check
  }

  #compile(schema: Record<string, unknown>): ValidateFunction {
    // A `$id` seen twice (two registry versions) would clash in one Ajv instance.
    const { $id: _id, ...rest } = schema
    return this.#ajv.compile(rest)
  }
}
