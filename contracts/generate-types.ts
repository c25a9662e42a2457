/**
 * Generates `contracts/generated/<name>.ts` from every `contracts/schemas/<name>.schema.json`
 * with json-schema-to-typescript, plus `generated/index.ts` re-exporting them all.
 *
 * Each type is declared once, in the file of the schema that owns it: a `$ref` into another
 * schema (by its `$id`) becomes an `import type` of the owning file's type, so no network and
 * no duplicate declarations. Keywords that only constrain values (`if`/`then`, `not`,
 * `discriminator`) are dropped before generation; they do not change the shape.
 *
 * Run: `npm run contracts:gen`. A test regenerates in memory and fails on drift.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { compile } from 'json-schema-to-typescript'
import { format, resolveConfig } from 'prettier'
import { readContractSchemas, type ContractSchema } from './index.js'

/** Where the generated files live. */
export const generatedDir = fileURLToPath(new URL('./generated/', import.meta.url))

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

interface Imports {
  /** file stem → type names imported from it */
  readonly byFile: Map<string, Set<string>>
}

const banner = (name: string): string =>
  `/* Generated from contracts/schemas/${name}.schema.json by \`npm run contracts:gen\`. Do not edit. */`

const validationOnly = new Set(['if', 'then', 'else', 'not', 'discriminator'])
/** A schema made only of these accepts any JSON value. */
const annotationOnly = new Set(['description', 'title', '$comment', 'examples', 'deprecated'])
/** Keywords whose value is a literal JSON value, never a schema. */
const literalValued = new Set(['const', 'enum', 'default', 'examples', 'required'])
/** Keywords whose value maps names to schemas. */
const schemaMaps = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
])

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Resolves a JSON pointer (`/$defs/engine`) inside one schema document. */
function resolvePointer(doc: JsonObject, pointer: string): Json | undefined {
  const segments = pointer.split('/').slice(1)
  let node: Json | undefined = doc
  for (const raw of segments) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    node = isObject(node) ? node[key] : undefined
  }
  return node
}

function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')
}

/**
 * The type name of a schema node: its `title`; else, for a `$defs` entry, the owning schema's
 * root type name plus the key in PascalCase (so untitled definitions never collide across files).
 */
function typeNameOf(contract: ContractSchema, node: Json | undefined, defKey?: string): string {
  if (isObject(node) && typeof node.title === 'string') return pascalCase(node.title)
  const root = contract.schema.title
  const rootName = pascalCase(typeof root === 'string' ? root : contract.name)
  return defKey === undefined ? rootName : rootName + pascalCase(defKey)
}

/**
 * Rewrites one schema for generation: `$ref`s into other schemas become `tsType` placeholders
 * (recorded in `imports`), absolute `$ref`s into this schema become local, and
 * validation-only keywords are dropped.
 */
function prepare(
  node: Json,
  self: ContractSchema,
  docs: Map<string, ContractSchema>,
  imports: Imports,
): Json {
  if (Array.isArray(node)) return node.map((item) => prepare(item, self, docs, imports))
  if (!isObject(node)) return node
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(node)) {
    if (validationOnly.has(key)) continue
    if (key === 'allOf' && Array.isArray(value) && value.every(isConstraintOnly)) continue
    if (literalValued.has(key)) out[key] = value
    // The keys of these maps are names (a property may be called `not`), not keywords.
    else if (schemaMaps.has(key) && isObject(value))
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, prepare(sub, self, docs, imports)]),
      )
    else out[key] = prepare(value, self, docs, imports)
  }
  if (typeof out.$ref === 'string') return rewriteRef(out, out.$ref, self, docs, imports)
  if (Object.keys(out).every((k) => annotationOnly.has(k))) return { ...out, tsType: 'unknown' }
  // A discriminated `oneOf` is described fully by its branches; the tag's own
  // `properties`/`required` (there for precise errors) would only add a noisy intersection.
  if ('discriminator' in node) {
    const { properties: _p, required: _r, type: _t, ...branches } = out
    return branches
  }
  return out
}

/** True for an `allOf` member that only adds conditional constraints. */
function isConstraintOnly(member: Json): boolean {
  return (
    isObject(member) &&
    Object.keys(member).every((k) => validationOnly.has(k) || k === 'description')
  )
}

function rewriteRef(
  node: JsonObject,
  ref: string,
  self: ContractSchema,
  docs: Map<string, ContractSchema>,
  imports: Imports,
): JsonObject {
  const [base = '', pointer = ''] = ref.split('#')
  if (base === '' || base === self.$id) return { ...node, $ref: `#${pointer}` }
  const target = docs.get(base)
  if (!target) throw new TypeError(`${self.name}: $ref to unknown schema ${ref}`)
  // Only a whole schema or one of its `$defs` has a declared type to import.
  const defKey = /^\/\$defs\/[^/]+$/.test(pointer) ? pointer.slice('/$defs/'.length) : undefined
  if (pointer !== '' && defKey === undefined)
    throw new TypeError(`${self.name}: cross-schema $ref must target a schema or its $defs: ${ref}`)
  const doc = target.schema as JsonObject
  const targetNode = pointer === '' ? doc : resolvePointer(doc, pointer)
  if (targetNode === undefined) throw new TypeError(`${self.name}: $ref to missing ${ref}`)
  const typeName = typeNameOf(target, targetNode, defKey)
  const names = imports.byFile.get(target.name) ?? new Set<string>()
  imports.byFile.set(target.name, names.add(typeName))
  const { $ref: _dropped, ...rest } = node
  return { ...rest, tsType: typeName }
}

async function generateOne(
  contract: ContractSchema,
  schema: JsonObject,
  imports: Imports,
): Promise<string> {
  const body = await compile(schema as Parameters<typeof compile>[0], contract.name, {
    bannerComment: '',
    format: false,
    additionalProperties: true,
    ignoreMinAndMaxItems: true,
    unreachableDefinitions: true,
    strictIndexSignatures: false,
    unknownAny: true,
    $refOptions: { resolve: { external: false } },
    declareExternallyReferenced: true,
    customName: (node, defKey) =>
      defKey === undefined || typeof node.title === 'string'
        ? undefined
        : typeNameOf(contract, {}, defKey),
  })
  const importLines = [...imports.byFile.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, names]) => `import type { ${[...names].sort().join(', ')} } from './${file}.js'`)
  return [banner(contract.name), ...importLines, '', body].join('\n')
}

function exportedNames(source: string): string[] {
  return [...source.matchAll(/^export (?:interface|type|const enum|enum) (\w+)/gm)].map(
    (m) => m[1]!,
  )
}

function indexSource(names: Map<string, string>, roots: Map<string, string>): string {
  const files = [...names.keys()].sort()
  const lines = [
    '/* Generated by `npm run contracts:gen`: every contract type, and each schema name → its root type. */',
    ...files.map((file) => `import type { ${roots.get(file)} } from './${file}.js'`),
    '',
    ...files.map((file) => `export * from './${file}.js'`),
    '',
    '/** Maps each contract schema name to the type of a valid payload. */',
    'export interface ContractTypes {',
    ...files.map((file) => `  '${file}': ${roots.get(file)}`),
    '}',
    '',
    '/** The name of a contract schema (`task-request`, `result-envelope`, …). */',
    'export type ContractName = keyof ContractTypes',
  ]
  return lines.join('\n')
}

/** Generates every file in memory: file name (`task-request.ts`, `index.ts`) → source. */
export async function generateContractTypes(): Promise<Map<string, string>> {
  const contracts = readContractSchemas()
  const docs = new Map(contracts.map((c) => [c.$id, c]))
  const prepared = contracts.map((contract) => {
    const imports: Imports = { byFile: new Map() }
    const schema = prepare(contract.schema as JsonObject, contract, docs, imports) as JsonObject
    return { contract, schema, imports }
  })
  const sources = new Map<string, string>()
  const roots = new Map<string, string>()
  const owner = new Map<string, string>()
  for (const { contract, schema, imports } of prepared) {
    const source = await generateOne(contract, schema, imports)
    const rootName = typeNameOf(contract, contract.schema as JsonObject)
    const names = exportedNames(source)
    if (!names.includes(rootName))
      throw new TypeError(`${contract.name}: root type ${rootName} not generated`)
    for (const name of names) {
      const other = owner.get(name)
      if (other)
        throw new TypeError(
          `type ${name} is declared by both ${other} and ${contract.name}; give one a distinct title`,
        )
      owner.set(name, contract.name)
    }
    sources.set(contract.name, source)
    roots.set(contract.name, rootName)
  }
  return formatAll(sources, roots)
}

async function formatAll(
  sources: Map<string, string>,
  roots: Map<string, string>,
): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const all = [...sources.entries(), ['index', indexSource(sources, roots)] as const]
  for (const [name, source] of all) {
    const path = `${generatedDir}${name}.ts`
    const options = (await resolveConfig(path)) ?? {}
    files.set(`${name}.ts`, await format(source, { ...options, filepath: path }))
  }
  return files
}

/** Writes the generated files, removing stale ones. */
export async function writeContractTypes(): Promise<string[]> {
  const files = await generateContractTypes()
  mkdirSync(generatedDir, { recursive: true })
  for (const stale of readdirSync(generatedDir)) if (!files.has(stale)) rmSync(generatedDir + stale)
  for (const [file, source] of files) writeFileSync(generatedDir + file, source)
  return [...files.keys()]
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = await writeContractTypes()
  console.log(`contracts:gen wrote ${written.length} files to contracts/generated/`)
}
