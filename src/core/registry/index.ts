/**
 * The registry set: intents.yml, policies.yml, models.yml and modules.yml,
 * loaded and validated together.
 */
export { formatRegistryIssues } from './format-issues.js'
export { loadRegistrySet } from './registry-loader.js'
export {
  modelStepIndex,
  selectorMatches,
  stepModels,
  type StepModel,
  type TierSource,
} from './pipeline-models.js'
export { redactionIntent } from './pipeline-rules.js'
export { parseRegistrySources, type ParseRegistryOptions } from './registry-parser.js'
export { policyDefaults, registryContentHash } from './registry-set.js'
export { registryFileLimitBytes } from './registry-source.js'
export * from './registry-types.js'
