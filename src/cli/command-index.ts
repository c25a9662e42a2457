/**
 * Every `aionctl` command by name, with what the top-level help shows of it,
 * and how to load it. A call loads the one command it names, so `aionctl
 * --help` or `aionctl version` never import the store, the runtime or the
 * registry clients (a test holds `usage` and `summary` to the loaded commands).
 */
import type { Command } from 'commander'

export interface CommandEntry {
  readonly name: string
  /** What follows the name in the help's command list (`[options] <package>`). */
  readonly usage: string
  readonly summary: string
  readonly load: () => Promise<Command>
}

export const commandIndex: readonly CommandEntry[] = [
  {
    name: 'validate',
    usage: '[options] [dir]',
    summary:
      'validate the registry files (intents, policies, models, modules) of a directory together; exit 1 listing every error',
    load: async () => (await import('./commands/validate.js')).validateCommand(),
  },
  {
    name: 'migrate',
    usage: '[options]',
    summary:
      'apply pending forward-only migrations to the store named by AION_DATABASE_URL (SQLite in AION_DATA_DIR when unset)',
    load: async () => (await import('./commands/migrate.js')).migrateCommand(),
  },
  {
    name: 'version',
    usage: '[options]',
    summary: 'print the version of aionctl and of the contracts it speaks',
    load: async () => (await import('./commands/version.js')).versionCommand(),
  },
  {
    name: 'submit',
    usage: '[options]',
    summary: 'submit a task to a running platform and show its result',
    load: async () => (await import('./commands/submit.js')).submitCommand(),
  },
  {
    name: 'policy',
    usage: '',
    summary: 'registry versions of a running platform (operator scope): reload, list, roll back',
    load: async () => (await import('./commands/policy.js')).policyCommand(),
  },
  {
    name: 'events',
    usage: '',
    summary: "read the platform event log (admin scope: the key's tenant; operator: every tenant)",
    load: async () => (await import('./commands/policy.js')).eventsCommand(),
  },
  {
    name: 'keys',
    usage: '',
    summary:
      'create, list and revoke API keys (store named by AION_DATABASE_URL, SQLite in AION_DATA_DIR when unset)',
    load: async () => (await import('./commands/keys.js')).keysCommand(),
  },
  {
    name: 'modules',
    usage: '',
    summary:
      'AIP packages on this host: list the installed ones, inspect, run one locally, install one',
    load: async () => {
      const [{ modulesCommand }, { quarantineCommand }] = await Promise.all([
        import('./commands/modules.js'),
        import('./commands/modules-quarantine.js'),
      ])
      return modulesCommand().addCommand(quarantineCommand())
    },
  },
  {
    name: 'pack',
    usage: '[options] <package>',
    summary:
      'check a package (directory or .tar/.tar.gz/.tgz) and write its reproducible .tar.gz; prints its sha256 digest',
    load: async () => (await import('./commands/pack.js')).packCommand(),
  },
  {
    name: 'push',
    usage: '[options] <package> <reference>',
    summary:
      'pack a package and push it to an OCI registry (credentials: AION_REGISTRY_<ID>_* or the Docker config); prints the manifest digest and the pinned reference',
    load: async () => (await import('./commands/push.js')).pushCommand(),
  },
  {
    name: 'pull',
    usage: '[options] <reference>',
    summary:
      'pull an AIP package from an OCI registry, digest- and size-checked; writes the archive, or unpacks it into a directory',
    load: async () => (await import('./commands/pull.js')).pullCommand(),
  },
  {
    name: 'keygen',
    usage: '[options]',
    summary:
      'make a cosign-compatible key pair: <prefix>.key (encrypted with COSIGN_PASSWORD or a prompted password) and <prefix>.pub',
    load: async () => (await import('./commands/keygen.js')).keygenCommand(),
  },
  {
    name: 'sign',
    usage: '[options] <ref>',
    summary:
      'sign a package in a registry with a cosign key (signature manifest at sha256-<hex>.sig, as cosign writes it)',
    load: async () => (await import('./commands/sign.js')).signCommand(),
  },
  {
    name: 'verify',
    usage: '[options] <ref>',
    summary:
      "verify a package's cosign signature against public keys (--key, else AION_TRUSTED_KEYS)",
    load: async () => (await import('./commands/verify.js')).verifyCommand(),
  },
  {
    name: 'sbom',
    usage: '[options] <source>',
    summary:
      "print a package's CycloneDX SBOM: the one attached in a registry, or one made for a local package",
    load: async () => (await import('./commands/sbom.js')).sbomCommand(),
  },
  {
    name: 'install',
    usage: '[options] <ref>',
    summary:
      'install an AIP package from an OCI registry: digests, cosign signature (AION_TRUSTED_KEYS) and every package check; a failure quarantines it (see aionctl modules quarantine)',
    load: async () => (await import('./commands/install.js')).registryInstallCommand(),
  },
]
