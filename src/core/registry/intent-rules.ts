/**
 * Rules of intents.yml against the other files: tiers exist, the default
 * route is a candidate, local-only intents can stay local, and an
 * `input_schema` is a JSON Schema that compiles.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import { RegistryInvalidValueError } from '../errors/index.js'
import { pointer } from './registry-issue.js'
import {
  asArray,
  asRecord,
  dangling,
  hasKey,
  inconsistent,
  type ParsedData,
  type RuleFinding,
} from './rule-finding.js'

/** Rule findings for every intent. */
export function intentRules(data: ParsedData): RuleFinding[] {
  const intents = asRecord(data['intents.yml'])
  const tiers = asRecord(asRecord(data['models.yml'])?.tiers)
  return Object.entries(intents ?? {}).flatMap(([name, value]) => {
    const intent = asRecord(value)
    if (!intent) return []
    return [
      ...tierRefs(name, intent, tiers),
      ...defaultRoute(name, intent),
      ...localOnly(name, intent, tiers),
      ...inputSchema(name, intent),
    ]
  })
}

function tierRefs(
  name: string,
  intent: Record<string, unknown>,
  tiers: Record<string, unknown> | undefined,
): RuleFinding[] {
  if (!tiers) return []
  return asArray(intent.tiers_allowed).flatMap((tier, i) =>
    typeof tier === 'string' && !hasKey(tiers, tier)
      ? [
          dangling(
            'intents.yml',
            pointer(name, 'tiers_allowed', i),
            `tier "${tier}" is not defined in models.yml`,
          ),
        ]
      : [],
  )
}

function defaultRoute(name: string, intent: Record<string, unknown>): RuleFinding[] {
  const route = intent.default_route
  const candidates = asArray(intent.candidates)
  // An unknown route is the schema's to report; `auto` needs no candidate.
  if (!isRoute(route) || !Array.isArray(intent.candidates)) return []
  if (candidates.includes(route)) return []
  const message = `default_route "${route}" is not among candidates [${candidates.join(', ')}]`
  return [inconsistent('intents.yml', pointer(name, 'default_route'), message)]
}

function isRoute(value: unknown): value is string {
  return value === 'local' || value === 'api' || value === 'hybrid'
}

/** A local-only payload never leaves the host: no api route, no cloud tier. */
function localOnly(
  name: string,
  intent: Record<string, unknown>,
  tiers: Record<string, unknown> | undefined,
): RuleFinding[] {
  if (intent.privacy !== 'local-only') return []
  const found: RuleFinding[] = []
  asArray(intent.candidates).forEach((route, i) => {
    if (route !== 'api') return
    const message = 'a local-only intent cannot take the api route (cloud models only)'
    found.push(inconsistent('intents.yml', pointer(name, 'candidates', i), message))
  })
  asArray(intent.tiers_allowed).forEach((tier, i) => {
    if (typeof tier !== 'string' || !tiers || !hasKey(tiers, tier)) return
    if (asRecord(tiers[tier])?.cloud === undefined) return
    const message = `tier "${tier}" lists cloud models; a local-only intent may use only local tiers`
    found.push(inconsistent('intents.yml', pointer(name, 'tiers_allowed', i), message))
  })
  return found
}

let schemaCompiler: Ajv2020 | undefined

function inputSchema(name: string, intent: Record<string, unknown>): RuleFinding[] {
  const schema = asRecord(intent.input_schema)
  if (!schema) return []
  // Unknown keywords are typos here (`requried`), so strictSchema; the stricter
  // type/required checks would reject ordinary user schemas.
  schemaCompiler ??= new Ajv2020({
    strictSchema: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    validateFormats: false,
    allowUnionTypes: true,
    // Intents may reuse `$id`s; nothing compiled here is kept.
    addUsedSchema: false,
  })
  try {
    schemaCompiler.compile(schema)
    schemaCompiler.removeSchema(schema)
    return []
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return [
      {
        name: 'intents.yml',
        code: RegistryInvalidValueError.code,
        path: pointer(name, 'input_schema'),
        message: `input_schema is not a valid JSON Schema: ${detail}`,
      },
    ]
  }
}
