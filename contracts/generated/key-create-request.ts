/* Generated from contracts/schemas/key-create-request.schema.json by `npm run contracts:gen`. Do not edit. */

/**
 * An API key a tenant's administrator creates in its own tenant (`POST /v1/keys`). Unknown keys are rejected. The caller may grant only scopes it holds itself; that is checked by the server, not here.
 */
export interface KeyCreateRequest {
  /**
   * A label for the key, shown in the key list. Defaults to `api`.
   */
  name?: string
  /**
   * The scopes to grant, each holding the ones before it: `tasks:write`, `tasks:read` (the tenant's tasks), `admin` (the tenant's own administrator), `operator` (the platform's operator).
   *
   * @minItems 1
   * @maxItems 4
   */
  scopes: ('tasks:write' | 'tasks:read' | 'admin' | 'operator')[]
}
