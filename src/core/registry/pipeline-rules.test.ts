import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configDir } from './registry-dirs.fixture.js'
import { parseRegistrySources, registryFileNames, type RegistrySources } from './index.js'

const config = Object.fromEntries(
  registryFileNames.map((name) => [name, readFileSync(join(configDir, name), 'utf8')]),
) as Record<(typeof registryFileNames)[number], string>

/** config/ with modules.yml's `pipelines:` block replaced by `pipelines` (YAML text). */
function withPipelines(pipelines: string, overrides: RegistrySources = {}): RegistrySources {
  const modules = config['modules.yml'].replace(/\npipelines:\n[\s\S]*$/, '\n')
  return { ...config, 'modules.yml': `${modules}pipelines:\n${pipelines}`, ...overrides }
}

/** Lines of modules.yml before the first pipeline of {@link withPipelines}. */
const pipelinesLine = config['modules.yml']
  .replace(/\npipelines:\n[\s\S]*$/, '\n')
  .split('\n').length

/** `code path line: message` of every issue; the line counts from the first pipeline (1). */
function issuesOf(sources: RegistrySources): string[] {
  const result = parseRegistrySources(sources)
  if (result.ok) return []
  return result.issues.map(
    (i) =>
      `${i.code} ${i.path} ${i.line === undefined ? '-' : i.line - pipelinesLine}: ${i.message}`,
  )
}

describe('pipelines in modules.yml', () => {
  it('loads the sample pipelines of config/ in the three shapes', () => {
    const result = parseRegistrySources(config)
    if (!result.ok) throw new Error(JSON.stringify(result.issues))
    const shapes = result.set.modules.pipelines.map((p) => [
      p.name,
      p.steps.map((s) => Object.keys(s)[0]).join(' → '),
    ])
    expect(shapes).toEqual([
      ['invoice_ocr', 'module → module'],
      ['extract_redacted', 'redact → model'],
      ['summarize_redacted', 'redact → model → module'],
    ])
  })

  it('fills in an empty list when modules.yml declares none', () => {
    const modules = config['modules.yml'].replace(/\npipelines:\n[\s\S]*$/, '\n')
    const none = parseRegistrySources({ ...config, 'modules.yml': modules })
    if (!none.ok) throw new Error(JSON.stringify(none.issues))
    expect(none.set.modules.pipelines).toEqual([])
  })

  it('refuses a step that is two kinds at once, or none, at the step', () => {
    const issues = issuesOf(
      withPipelines(
        [
          '  - name: p',
          '    intents: [summarize]',
          '    steps:',
          '      - { module: summarize_text, model: any }',
          '      - { agent: summarize_text }',
        ].join('\n'),
      ),
    )
    expect(issues).toEqual([
      expect.stringMatching(/^AION_REGISTRY_INVALID_VALUE \/pipelines\/0\/steps\/0 \d+: /),
      expect.stringMatching(/^AION_REGISTRY_UNKNOWN_KEY \/pipelines\/0\/steps\/1\/agent \d+: /),
    ])
  })

  it('reports dangling modules, models, tiers and intents, each where it is written', () => {
    const issues = issuesOf(
      withPipelines(
        [
          '  - name: p',
          '    intents: [summarize, translate]',
          '    steps:',
          '      - module: ocr_typo',
          "      - model: 'openai:gpt-9'",
          '  - name: q',
          '    intents: [summarize]',
          '    steps:',
          '      - redact: nope',
          '      - model: { tier: tier9 }',
        ].join('\n'),
      ),
    )
    expect(issues.map((i) => i.split(':')[0])).toEqual([
      'AION_REGISTRY_DANGLING_REF /pipelines/0/intents/1 2',
      'AION_REGISTRY_DANGLING_REF /pipelines/0/steps/0/module 4',
      'AION_REGISTRY_DANGLING_REF /pipelines/0/steps/1/model 5',
      'AION_REGISTRY_INCONSISTENT /pipelines/0/steps/1/model 5',
      'AION_REGISTRY_DANGLING_REF /pipelines/1/steps/0/redact 9',
      'AION_REGISTRY_INCONSISTENT /pipelines/1/steps/1/model 10',
      'AION_REGISTRY_DANGLING_REF /pipelines/1/steps/1/model/tier 10',
    ])
  })

  it('refuses two model steps, a duplicate name, a module name, and a redact step that does not redact', () => {
    const issues = issuesOf(
      withPipelines(
        [
          '  - name: p',
          '    intents: [summarize]',
          '    steps: [{ model: any }, { model: any }]',
          '  - name: p',
          '    intents: [summarize]',
          '    steps: [{ redact: summarize_text }, { model: any }]',
          '  - name: summarize_text',
          '    intents: [summarize]',
          '    steps: [{ module: summarize_text }]',
        ].join('\n'),
      ),
    )
    expect(issues).toEqual([
      expect.stringContaining('/pipelines/0/steps/1 '),
      expect.stringMatching(/\/pipelines\/1\/name .*declared more than once/),
      expect.stringMatching(/\/pipelines\/1\/steps\/0\/redact .*does not serve redact_pii/),
      expect.stringMatching(/\/pipelines\/2\/name .*the name of a module/),
    ])
  })

  it('refuses a pipeline on a route its intent does not list', () => {
    const issues = issuesOf(
      withPipelines(
        [
          '  - name: answer_local',
          '    intents: [answer, invoice_ocr]',
          '    steps: [{ model: any }]',
        ].join('\n'),
      ),
    )
    expect(issues).toEqual([
      expect.stringMatching(
        /^AION_REGISTRY_INCONSISTENT \/pipelines\/0\/intents\/0 .*hybrid route, which intent "answer" does not list/,
      ),
      expect.stringMatching(/\/pipelines\/0\/intents\/1 .*"invoice_ocr" does not list/),
    ])
  })

  it('refuses a model step no allowed model matches (a cloud model for a local-only intent)', () => {
    const intents = config['intents.yml'].replace(
      /invoice_ocr:\n(.*\n)*? {2}candidates: \[local\]/,
      (block) => block.replace('candidates: [local]', 'candidates: [local, hybrid]'),
    )
    const issues = issuesOf(
      withPipelines(
        [
          '  - name: p',
          '    intents: [invoice_ocr]',
          "    steps: [{ module: summarize_text }, { model: 'openai:gpt-4.1-mini' }]",
        ].join('\n'),
        { 'intents.yml': intents },
      ),
    )
    expect(issues).toEqual([
      expect.stringMatching(
        /\/pipelines\/0\/steps\/1\/model .*no model of the tiers intent "invoice_ocr" allows/,
      ),
    ])
  })

  it('holds the privacy rule: a cloud step of a hybrid-privacy intent comes right after a redact step', () => {
    const issues = issuesOf(
      withPipelines(
        [
          '  - name: unredacted',
          '    intents: [extract]',
          '    steps: [{ model: any }]',
          '  - name: redacted_too_early',
          '    intents: [extract]',
          '    steps: [{ redact: redact_pii }, { module: summarize_text }, { model: any }]',
          '  - name: local_model_only',
          '    intents: [extract]',
          '    steps: [{ module: summarize_text }, { model: { placement: local } }]',
          '  - name: allow_api_intent',
          '    intents: [summarize]',
          '    steps: [{ model: any }]',
        ].join('\n'),
      ),
    )
    expect(issues).toEqual([
      expect.stringMatching(
        /\/pipelines\/0\/steps\/0\/model .*must come right after a redact step/,
      ),
      expect.stringMatching(
        /\/pipelines\/1\/steps\/2\/model .*must come right after a redact step/,
      ),
    ])
  })
})
