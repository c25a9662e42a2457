/**
 * The platform's domain types that every room speaks of: who asks, the
 * policy versions they change, the packages they install, the JSON values
 * tasks carry, what the audit log records, the API keys a tenant manages.
 */
export type { Actor } from './actor.js'
export type { AuditAction, AuditOutcome } from './audit.js'
export type { JsonObject, JsonValue } from './json-value.js'
export type { InstalledModule, ModuleInstallResult, ModulePackage } from './module-package.js'
export type { PolicyVersion } from './policy-version.js'
export type { ApiKeyView, CreatedApiKey, NewKeyCommand } from './tenant-key.js'
