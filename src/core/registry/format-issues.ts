/** Rendering registry issues for people: one line each. */
import { join } from 'node:path'
import type { RegistryIssue } from '../errors/index.js'

/**
 * One line per issue: `file:line:column  CODE  path  message`. The place
 * shortens to `file` when unknown; the path shows as `/` for the whole file.
 * With `dir`, files are shown joined to it (`config/intents.yml`), so editors
 * and terminals can jump to them.
 */
export function formatRegistryIssues(issues: readonly RegistryIssue[], dir?: string): string {
  return issues
    .map((issue) => {
      const file = dir === undefined ? issue.file : join(dir, issue.file)
      const place = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`
      return `${place}  ${issue.code}  ${issue.path || '/'}  ${issue.message}`
    })
    .join('\n')
}
