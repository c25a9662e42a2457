/**
 * Rules across the four files that a schema cannot state: references that
 * must resolve and values that must agree. They read the parsed data
 * defensively (a file may also have schema errors), so one run reports every
 * problem; a rule needing a file that did not parse is skipped.
 */
import { RegistryInvalidValueError } from '../errors/index.js'
import { intentRules } from './intent-rules.js'
import { pipelineRules } from './pipeline-rules.js'
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

/** Every rule finding over the parsed files. */
export function registryRules(data: ParsedData): RuleFinding[] {
  return [
    ...intentRules(data),
    ...policyRules(data),
    ...modelRules(data),
    ...moduleRules(data),
    ...pipelineRules(data),
  ]
}

function policyRules(data: ParsedData): RuleFinding[] {
  const policies = asRecord(data['policies.yml'])
  if (!policies) return []
  const found: RuleFinding[] = []
  const budget = asRecord(policies.budget)
  const defaultUsd = budget?.default_usd
  const hardCapUsd = budget?.hard_cap_usd
  if (typeof defaultUsd === 'number' && typeof hardCapUsd === 'number' && defaultUsd > hardCapUsd) {
    found.push({
      name: 'policies.yml',
      code: RegistryInvalidValueError.code,
      path: '/budget/default_usd',
      message: `default_usd ${defaultUsd} exceeds hard_cap_usd ${hardCapUsd}`,
    })
  }
  const intents = asRecord(data['intents.yml'])
  asArray(asRecord(policies.privacy)?.local_only_intents).forEach((intent, i) => {
    if (typeof intent !== 'string' || !intents) return
    const path = pointer('privacy', 'local_only_intents', i)
    const spec = hasKey(intents, intent) ? asRecord(intents[intent]) : undefined
    if (!spec)
      found.push(dangling('policies.yml', path, `intent "${intent}" is not in intents.yml`))
    else if (spec.privacy !== 'local-only') {
      const message = `intent "${intent}" is listed as local-only but has privacy "${String(spec.privacy)}" in intents.yml`
      found.push(inconsistent('policies.yml', path, message))
    }
  })
  const routerModel = asRecord(policies.routing)?.router_model
  const models = asRecord(asRecord(data['models.yml'])?.models)
  if (typeof routerModel === 'string' && models && !hasKey(models, routerModel)) {
    const message = `router model "${routerModel}" is not in models.yml models`
    found.push(dangling('policies.yml', '/routing/router_model', message))
  }
  return found
}

function modelRules(data: ParsedData): RuleFinding[] {
  const registry = asRecord(data['models.yml'])
  const tiers = asRecord(registry?.tiers)
  const models = asRecord(registry?.models)
  const found: RuleFinding[] = []
  for (const [tierName, tier] of Object.entries(tiers ?? {})) {
    for (const kind of ['local', 'cloud']) {
      asArray(asRecord(tier)?.[kind]).forEach((ref, i) => {
        if (typeof ref !== 'string' || !models || hasKey(models, ref)) return
        const message = `model "${ref}" of tier ${tierName} has no entry under models`
        found.push(dangling('models.yml', pointer('tiers', tierName, kind, i), message))
      })
    }
  }
  for (const [ref, spec] of Object.entries(models ?? {})) {
    const provider = asRecord(spec)?.provider
    const prefix = ref.split(':')[0]
    if (typeof provider === 'string' && prefix !== provider) {
      const message = `provider "${provider}" does not match the ref's prefix "${prefix ?? ''}"`
      found.push(inconsistent('models.yml', pointer('models', ref, 'provider'), message))
    }
  }
  return found
}

function moduleRules(data: ParsedData): RuleFinding[] {
  const modules = asArray(asRecord(data['modules.yml'])?.modules)
  const intents = asRecord(data['intents.yml'])
  const found: RuleFinding[] = []
  const seen = new Set<string>()
  modules.forEach((entry, i) => {
    const module = asRecord(entry)
    const name = module?.name
    if (typeof name === 'string') {
      if (seen.has(name)) {
        const message = `module "${name}" is declared more than once`
        found.push(inconsistent('modules.yml', pointer('modules', i, 'name'), message))
      }
      seen.add(name)
    }
    asArray(module?.intents).forEach((intent, j) => {
      if (typeof intent !== 'string' || !intents || hasKey(intents, intent)) return
      const message = `intent "${intent}" is not in intents.yml`
      found.push(dangling('modules.yml', pointer('modules', i, 'intents', j), message))
    })
  })
  return found
}
