import { readFile } from 'node:fs/promises'
import { Command } from 'commander'
import { loadSettings, type KafkaSettings } from '../../core/settings/index.js'
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

/** Options of `aionctl events tail`. */
interface TailOptions extends ClientOptions {
  topic?: string
  tenant?: string
  task?: string
  after: string
  follow?: boolean
  fromBeginning?: boolean
}

export function eventsCommand(): Command {
  const events = new Command('events').description(
    "read the platform event log (admin scope: the key's tenant; operator: every tenant)",
  )
  events.addCommand(
    withClientOptions(new Command('tail'))
      .description(
        'print events as JSON lines; --follow keeps polling. With AION_KAFKA_BROKERS set it reads the Kafka topics instead, from the end, until Ctrl-C',
      )
      .option('--topic <topic>', 'only this topic, e.g. aion.tasks.lifecycle')
      .option('--tenant <id>', "only this tenant's events")
      .option('--task <id>', "only this task's events (the events' key)")
      .option('--after <id>', 'start after this event id', '0')
      .option('--follow', 'keep waiting for new events')
      .option('--from-beginning', 'Kafka: start from what the topics still retain, not the end')
      .action(async (options: TailOptions) => {
        const kafka = loadSettings().events.kafka
        if (kafka !== undefined) return tailKafka(kafka, options)
        const client = clientFrom(options)
        const wanted = eventFilter(options)
        let afterId = Number(options.after)
        for (;;) {
          const page = await client.events({
            afterId,
            limit: 500,
            ...(options.topic ? { topic: options.topic } : {}),
          })
          for (const event of page.events) {
            if (wanted(event)) process.stdout.write(`${JSON.stringify(event)}\n`)
          }
          afterId = page.next_after_id
          if (!options.follow) return
          if (page.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 1000))
        }
      }),
  )
  return events
}

/** The `--tenant`, `--task` and `--after` filters, applied to an event of either source. */
function eventFilter(options: TailOptions): (event: Record<string, unknown>) => boolean {
  const afterId = Number(options.after)
  return (event) =>
    (options.tenant === undefined || event.tenantId === options.tenant) &&
    (options.task === undefined || event.key === options.task) &&
    (typeof event.id !== 'number' || event.id > afterId)
}

/**
 * `events tail` on the Kafka topics the outbox relay publishes: the same JSON
 * lines as the store's log, each event once (deduped on its id), until Ctrl-C
 * or SIGTERM, which close the consumer before the exit (code 0). A broker
 * that cannot be reached is an AION_EVENTS_BROKER_UNAVAILABLE error.
 */
async function tailKafka(kafka: KafkaSettings, options: TailOptions): Promise<void> {
  // Loaded here: `aionctl policy` and the HTTP tail never load the Kafka client.
  const { platformEventTopics, tailKafkaEvents } = await import('../../storage/kafka/index.js')
  const ca = kafka.tls?.caFile === undefined ? undefined : await readFile(kafka.tls.caFile, 'utf8')
  const topics = options.topic === undefined ? platformEventTopics : [options.topic]
  const from = options.fromBeginning ? 'earliest' : 'latest'
  const stopping = new AbortController()
  const stop = () => stopping.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const wanted = eventFilter(options)
  try {
    await tailKafkaEvents(
      {
        brokers: kafka.brokers,
        topics,
        from,
        ...(kafka.sasl === undefined
          ? {}
          : { sasl: { ...kafka.sasl, password: kafka.sasl.password.reveal() } }),
        ...(kafka.tls === undefined ? {} : { tls: ca === undefined ? {} : { ca } }),
        createTopics: {
          topicPartitions: kafka.topicPartitions,
          replicationFactor: kafka.replicationFactor,
          retentionMs: kafka.retentionMs,
        },
        filter: (event) => wanted(event as unknown as Record<string, unknown>),
        signal: stopping.signal,
        // On stderr, so stdout stays JSON lines; a script waits for it before it publishes.
        onReady: () =>
          process.stderr.write(
            `aionctl: reading ${topics.join(', ')} from Kafka (${kafka.brokers.join(', ')}) from the ${from === 'latest' ? 'end' : 'beginning'}; Ctrl-C stops\n`,
          ),
      },
      (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
    )
  } finally {
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
  }
}
