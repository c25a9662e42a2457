/**
 * Validating a registry set from in-memory sources: each file is decoded,
 * parsed and checked against its schema, then the rules across files run, and
 * every issue found is returned together. Nothing here throws, and a set is
 * returned only when no issue was found.
 */
import type { RegistryIssue } from '../errors/index.js'
import { RegistryFileMissingError, RegistryUnreadableError } from '../errors/index.js'
import { registryIssue, sortIssues } from './registry-issue.js'
import { registryRules } from './registry-rules.js'
import { schemaIssues } from './registry-schema.js'
import { buildRegistrySet } from './registry-set.js'
import { decodeSource } from './registry-source.js'
import {
  registryFileNames,
  type RegistryFileName,
  type RegistryLoadResult,
  type RegistrySources,
} from './registry-types.js'
import { parseYamlFile, type YamlFile } from './yaml-file.js'

/** Options of {@link parseRegistrySources}. */
export interface ParseRegistryOptions {
  /**
   * The name each file's issues carry, when it differs from the canonical one
   * (a file read as `intents.yaml`).
   * @default the canonical names
   */
  readonly fileLabels?: Partial<Record<RegistryFileName, string>>
}

/** Validates the four files together; `ok: true` only when there is no issue at all. */
export function parseRegistrySources(
  sources: RegistrySources,
  options: ParseRegistryOptions = {},
): RegistryLoadResult {
  const issues: RegistryIssue[] = []
  const texts: Partial<Record<RegistryFileName, string>> = {}
  const parsed: Partial<Record<RegistryFileName, YamlFile>> = {}
  for (const name of registryFileNames) {
    const file = options.fileLabels?.[name] ?? name
    const result = guarded(file, () => parseOne(name, file, sources[name]))
    issues.push(...result.issues)
    if (result.text !== undefined) texts[name] = result.text
    if (result.yaml) parsed[name] = result.yaml
  }
  issues.push(...guarded('.', () => ({ issues: ruleIssues(parsed) })).issues)
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) }
  const [intents, policies, models, modules] = registryFileNames.map((name) => parsed[name]?.data)
  const sourceTexts = texts as Record<RegistryFileName, string>
  return guardedSet(() => ({
    ok: true,
    set: buildRegistrySet(
      {
        'intents.yml': intents,
        'policies.yml': policies,
        'models.yml': models,
        'modules.yml': modules,
      },
      sourceTexts,
    ),
  }))
}

interface FileResult {
  readonly issues: readonly RegistryIssue[]
  readonly text?: string
  readonly yaml?: YamlFile
}

function parseOne(
  name: RegistryFileName,
  file: string,
  source: string | Uint8Array | undefined,
): FileResult {
  if (source === undefined) {
    const detail = `file is missing (expected ${name} or ${name.replace(/\.yml$/, '.yaml')})`
    return { issues: [registryIssue(RegistryFileMissingError.code, file, '', detail)] }
  }
  const decoded = decodeSource(file, source)
  if ('issue' in decoded) return { issues: [decoded.issue] }
  const { yaml, issues } = parseYamlFile(file, decoded.text)
  if (!yaml) return { text: decoded.text, issues }
  const violations = schemaIssues(name, yaml)
  return { text: decoded.text, yaml, issues: violations }
}

function ruleIssues(parsed: Partial<Record<RegistryFileName, YamlFile>>): RegistryIssue[] {
  const data = Object.fromEntries(
    Object.entries(parsed).map(([name, yaml]) => [name, yaml.data]),
  ) as Partial<Record<RegistryFileName, unknown>>
  return registryRules(data).flatMap((finding) => {
    const yaml = parsed[finding.name]
    if (!yaml) return []
    const position = yaml.position(finding.path)
    return [registryIssue(finding.code, yaml.file, finding.path, finding.message, position)]
  })
}

/** Runs one step; anything it throws becomes an AION_REGISTRY_UNREADABLE issue. */
function guarded(file: string, step: () => FileResult): FileResult {
  try {
    return step()
  } catch (error) {
    return { issues: [unreadable(file, error)] }
  }
}

function guardedSet(step: () => RegistryLoadResult): RegistryLoadResult {
  try {
    return step()
  } catch (error) {
    return { ok: false, issues: [unreadable('.', error)] }
  }
}

/** An issue for a failure nobody planned for; the cause's message is kept. */
export function unreadable(file: string, error: unknown): RegistryIssue {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return registryIssue(RegistryUnreadableError.code, file, '', `could not be read: ${detail}`)
}
