import { Command } from 'commander'
import { clientFrom, type ClientOptions } from './client.js'

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'platform URL (default AION_URL or http://AION_HOST:AION_PORT)')
    .option('--key <key>', 'operator API key (default AION_API_KEY)')
}

export function policyCommand(): Command {
  const policy = new Command('policy').description(
    'registry versions of a running platform (operator scope): reload, list, roll back',
  )
  policy.addCommand(
    withClientOptions(new Command('reload'))
      .description('validate the config directory and activate it atomically; every error listed')
      .action(async (options: ClientOptions) => print(await clientFrom(options).reloadPolicies())),
  )
  policy.addCommand(
    withClientOptions(new Command('versions'))
      .description('list registry versions, the active one marked')
      .action(async (options: ClientOptions) => print(await clientFrom(options).policyVersions())),
  )
  policy.addCommand(
    withClientOptions(new Command('rollback'))
      .description('activate an earlier registry version')
      .argument('<version>', 'version number')
      .action(async (version: string, options: ClientOptions) =>
        print(await clientFrom(options).rollbackPolicies(Number(version))),
      ),
  )
  return policy
}

export function eventsCommand(): Command {
  const events = new Command('events').description(
    "read the platform event log (admin scope: the key's tenant; operator: every tenant)",
  )
  events.addCommand(
    withClientOptions(new Command('tail'))
      .description('print events as JSON lines; --follow keeps polling')
      .option('--topic <topic>', 'only this topic, e.g. aion.tasks.lifecycle')
      .option('--after <id>', 'start after this event id', '0')
      .option('--follow', 'keep waiting for new events')
      .action(
        async (options: ClientOptions & { topic?: string; after: string; follow?: boolean }) => {
          const client = clientFrom(options)
          let afterId = Number(options.after)
          for (;;) {
            const page = await client.events({
              afterId,
              limit: 500,
              ...(options.topic ? { topic: options.topic } : {}),
            })
            for (const event of page.events) process.stdout.write(`${JSON.stringify(event)}\n`)
            afterId = page.next_after_id
            if (!options.follow) return
            if (page.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 1000))
          }
        },
      ),
  )
  return events
}
