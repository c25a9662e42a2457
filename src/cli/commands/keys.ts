/**
 * `aionctl keys create|list|revoke`: API keys on the store the settings name.
 * A key is printed once, at creation; only its id and a hash of its secret
 * are stored, and `list` never shows either secret or hash.
 */
import { Command, InvalidArgumentError } from 'commander'
import { defaultKeyScopes, isScope, mintApiKey, scopes } from '../../core/auth/index.js'
import { StoreConflictError } from '../../core/errors/index.js'
import type { ApiKeyRecord, Store } from '../../storage/index.js'
import { withStore } from './cli-store.js'

interface TenantOption {
  readonly tenant: string
}

export function keysCommand(): Command {
  // Subcommands inherit exitOverride only from their parent: usage errors then exit 2 through runCli.
  const keys = new Command('keys')
    .description(
      'create, list and revoke API keys (store named by AION_DATABASE_URL, SQLite in AION_DATA_DIR when unset)',
    )
    .exitOverride()
    .showHelpAfterError()
  keys
    .command('create')
    .description('create an API key and print it once')
    .option('--name <name>', 'a label for the key', 'cli')
    .option(
      '--scope <scope...>',
      `scopes to grant (${scopes.join(', ')}; admin: the tenant's tasks and events; operator: every tenant and the platform) (default: ${defaultKeyScopes.join(' ')})`,
      collectScope,
    )
    .option('--tenant <id>', 'tenant the key belongs to', 'default')
    .option('--json', 'print the result as JSON for machines')
    .action(async function create(options: TenantOption & CreateOptions) {
      await withStore((store) => createKey(store, options))
    })
  keys
    .command('list')
    .description("list a tenant's API keys (never their secrets)")
    .option('--tenant <id>', 'tenant whose keys to list', 'default')
    .option('--json', 'print the keys as JSON for machines')
    .action(async function list(options: TenantOption & { json?: boolean }) {
      await withStore((store) => listKeys(store, options))
    })
  keys
    .command('revoke')
    .description('revoke an API key; it is refused from the next request on')
    .argument('<id>', 'the key id (the part after aion_)')
    .option('--tenant <id>', 'tenant the key belongs to', 'default')
    .action(async function revoke(keyId: string, options: TenantOption) {
      await withStore(async (store) => {
        if (await store.apiKeys.revoke(options.tenant, keyId)) {
          process.stdout.write(`revoked ${keyId}\n`)
          return
        }
        process.stderr.write(`aionctl: no active key ${keyId} in tenant ${options.tenant}\n`)
        process.exitCode = 1
      })
    })
  return keys
}

interface CreateOptions {
  readonly name: string
  readonly scope?: string[]
  readonly json?: boolean
}

async function createKey(store: Store, options: TenantOption & CreateOptions): Promise<void> {
  const granted = [...new Set(options.scope ?? defaultKeyScopes)]
  // 60-bit random ids collide about never; retry the odd conflict rather than fail.
  for (let attempt = 1; ; attempt++) {
    const minted = mintApiKey()
    try {
      await store.apiKeys.create({
        tenantId: options.tenant,
        keyId: minted.keyId,
        secretHash: minted.secretHash,
        name: options.name,
        scopes: granted,
      })
    } catch (error) {
      if (error instanceof StoreConflictError && attempt < 3) continue
      throw error
    }
    const created = { keyId: minted.keyId, key: minted.key, name: options.name, scopes: granted }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...created, tenantId: options.tenant })}\n`)
    } else {
      process.stdout.write(
        `key    ${minted.key}\nid     ${minted.keyId}\nscopes ${granted.join(' ')}\n` +
          'The key is shown only now: store it safely.\n',
      )
    }
    return
  }
}

async function listKeys(store: Store, options: TenantOption & { json?: boolean }): Promise<void> {
  const records = await store.apiKeys.list(options.tenant)
  const shown = records.map(publicView)
  if (options.json) {
    process.stdout.write(`${JSON.stringify(shown)}\n`)
    return
  }
  if (shown.length === 0) {
    process.stdout.write(`no keys in tenant ${options.tenant}\n`)
    return
  }
  for (const key of shown) {
    const state = key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`
    process.stdout.write(
      `${key.keyId}  ${key.name}  [${key.scopes.join(' ')}]  created ${key.createdAt}  ` +
        `last used ${key.lastUsedAt ?? 'never'}  ${state}\n`,
    )
  }
}

/** A stored key without its secret hash. */
function publicView(record: ApiKeyRecord) {
  return {
    keyId: record.keyId,
    tenantId: record.tenantId,
    name: record.name,
    scopes: record.scopes,
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
  }
}

function collectScope(value: string, previous: string[] | undefined): string[] {
  if (!isScope(value)) {
    throw new InvalidArgumentError(`unknown scope "${value}" (known: ${scopes.join(', ')})`)
  }
  return [...(previous ?? []), value]
}
