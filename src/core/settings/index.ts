/** Platform settings from the environment. */
export {
  loadSettings,
  type ClientSettings,
  type ControlSettings,
  type GatewaySettings,
  type JwtSettings,
  type LoadSettingsOptions,
  type ModuleSettings,
  type ProviderEndpoint,
  type ProviderSettings,
  type RedisSettings,
  type Settings,
} from './load-settings.js'
export type { EgressSettings } from './egress-settings.js'
export type { ObjectRetentionSettings, S3Settings } from './object-store-settings.js'
export type { EventSettings, KafkaSasl, KafkaSettings } from './event-settings.js'
export { type DistributionSettings, type RegistryLogin } from './distribution-settings.js'
export {
  logLevels,
  settingsSchema,
  settingVariables,
  type LogLevel,
  type SettingVariable,
} from './settings-schema.js'
