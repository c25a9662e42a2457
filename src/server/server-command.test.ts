import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { serverArgs } from './server-command.js'

describe('the server command', () => {
  it('is what `npm start` and the install-samples smoke test run', () => {
    const command = `node ${serverArgs().join(' ')}`
    const scripts = (
      JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
    ).scripts
    expect(scripts.start).toBe(command)
    expect(readFileSync('scripts/install-samples.sh', 'utf8')).toContain(command)
  })
})
