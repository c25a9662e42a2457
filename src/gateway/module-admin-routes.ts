/**
 * Operator routes for AIP packages (scope `operator`: installs serve every tenant): install one from an OCI
 * registry, and list the installed and quarantined ones. A quarantined install
 * answers 422 problem+json (`AION_MODULE_QUARANTINED` with the reason's code);
 * a registry outage answers 503 with `retryable: true`.
 */
import type { FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import type { ModulePackage } from '../core/domain/index.js'
import { RequestInvalidError } from '../core/errors/index.js'
import { actorOf } from './auth/index.js'

function wire(module: ModulePackage) {
  return {
    name: module.name,
    version: module.version,
    digest: module.digest,
    runtime: module.runtime,
    status: module.status,
    signer_key_id: module.signerKeyId,
    sbom_ref: module.sbomRef,
    reason: module.reason,
    updated_at: module.updatedAt,
  }
}

export function registerModuleAdminRoutes(app: FastifyInstance, control: ControlPlane): void {
  app.post('/v1/admin/modules/install', async function installModule(request) {
    const ref = (request.body as { ref?: unknown } | undefined)?.ref
    if (typeof ref !== 'string' || ref.trim() === '') {
      throw new RequestInvalidError({
        violations: [{ path: '/ref', message: 'must be an OCI reference', keyword: 'type' }],
      })
    }
    const installed = await control.installModule(actorOf(request), ref)
    return {
      name: installed.name,
      version: installed.version,
      digest: installed.digest,
      runtime: installed.runtime,
      status: installed.status,
      signer_key_id: installed.signerKeyId,
      sbom_ref: installed.sbomRef,
    }
  })

  app.get('/v1/admin/modules', async function listModules(request) {
    return { modules: (await control.listModules(actorOf(request).tenantId)).map(wire) }
  })
}
