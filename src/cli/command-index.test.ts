import { Help } from 'commander'
import { describe, expect, it } from 'vitest'
import { commandIndex } from './command-index.js'

describe('the command index', () => {
  it('lists each command as the command itself describes it', async () => {
    const help = new Help()
    for (const entry of commandIndex) {
      const command = await entry.load()
      expect(command.name()).toBe(entry.name)
      expect(command.description()).toBe(entry.summary)
      expect(help.subcommandTerm(command)).toBe(
        entry.usage === '' ? entry.name : `${entry.name} ${entry.usage}`,
      )
    }
  })

  it('names each command once', () => {
    const names = commandIndex.map((entry) => entry.name)
    expect(new Set(names).size).toBe(names.length)
  })
})
