import { Command } from 'commander'
import { inspectCommand } from './modules/modules-inspect.js'
import { installCommand } from './modules/modules-install.js'
import { listCommand } from './modules/modules-list.js'
import { runCommand } from './modules/modules-run.js'

/** `aionctl modules`: AIP packages on this host (list, inspect, run, install). */
export function modulesCommand(): Command {
  return new Command('modules')
    .description(
      'AIP packages on this host: list the installed ones, inspect, run one locally, install one',
    )
    .addCommand(listCommand())
    .addCommand(inspectCommand())
    .addCommand(runCommand())
    .addCommand(installCommand())
}
