/** The privacy a task's engine calls run under, and where a model call may connect. */
import type { PrivacyMode } from '../../../contracts/generated/index.js'
import type { Placement } from '../../core/egress/index.js'
import { localProviders, type ProviderName } from '../../core/registry/index.js'
import type { TaskContext } from './task-context.js'

const strictness: Readonly<Record<PrivacyMode, number>> = {
  'allow-api': 0,
  hybrid: 1,
  'local-only': 2,
}

/** The strictest of the task's, the intent's and the policies' privacy. */
export function taskPrivacy(ctx: TaskContext): PrivacyMode {
  const { intents, policies } = ctx.registries.set
  if (policies.privacy.local_only_intents.includes(ctx.request.intent)) return 'local-only'
  const intent = intents[ctx.request.intent]?.privacy ?? 'local-only'
  const asked = ctx.features.privacy
  return strictness[intent] > strictness[asked] ? intent : asked
}

/**
 * Where a model call of the task may connect: on the premises under
 * local-only, and under hybrid for data no redact step has processed;
 * anywhere otherwise. A cloud provider under those is the router's to
 * refuse; this is the enforcement for local ones.
 */
export function modelPlacement(
  ctx: TaskContext,
  provider: ProviderName,
  redacted: boolean,
): Placement {
  const privacy = taskPrivacy(ctx)
  if (privacy === 'local-only') return 'on-premises'
  if (privacy === 'hybrid' && !redacted && localProviders.includes(provider)) return 'on-premises'
  return 'anywhere'
}
