/** Platform settings from the environment. */
export { loadSettings, type LoadSettingsOptions, type Settings } from './load-settings.js'
export {
  logLevels,
  settingsSchema,
  settingVariables,
  type LogLevel,
  type SettingVariable,
} from './settings-schema.js'
