/** Credentials: API key minting, parsing and hashing, and scopes. */
export * from './api-key.js'
export * from './scopes.js'
