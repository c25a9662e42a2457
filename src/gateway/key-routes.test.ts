import { describe, expect, it } from 'vitest'
import { readContractSchemas } from '../../contracts/index.js'
import { scopes } from '../core/auth/index.js'

describe('the key-create-request contract', () => {
  it('names exactly the scopes the platform knows, in their order', () => {
    const contract = readContractSchemas().find((s) => s.name === 'key-create-request')
    const properties = contract?.schema.properties as { scopes: { items: { enum: string[] } } }
    expect(properties.scopes.items.enum).toEqual([...scopes])
  })
})
