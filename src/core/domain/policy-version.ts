/** One version of the registry files (intents, policies, models, modules) as stored. */
export interface PolicyVersion {
  readonly version: number
  readonly contentHash: string
  readonly createdAt: string
  readonly createdBy: string
  readonly active: boolean
}
