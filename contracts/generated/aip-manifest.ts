/* Generated from contracts/schemas/aip-manifest.schema.json by `npm run contracts:gen`. Do not edit. */
import type { IntentName } from './task-request.js'

/**
 * The file to run, relative to the package root: a `.wasm` file for wasm, an executable for subprocess.
 */
export type PackagePath = string
/**
 * Memory limit (for WASM, the linear-memory maximum).
 */
export type MemoryQuantity = string
/**
 * GPU memory needed per device.
 */
export type MemoryQuantity1 = string
/**
 * Network access: `deny` (the default posture), or an allow-list of host names (optionally `*.` wildcard prefix and `:port`).
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "network".
 */
export type NetworkPermission =
  | 'deny'
  | {
      /**
       * Hosts the module may connect to.
       *
       * @minItems 1
       * @maxItems 64
       */
      allow: string[]
    }
/**
 * Input schema file.
 */
export type PackagePath1 = string
/**
 * Output schema file.
 */
export type PackagePath2 = string
/**
 * A relative path to a file inside the package: slash-separated segments that do not start with a dot, so no absolute path, no `..` and no hidden files.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "package_path".
 */
export type PackagePath3 = string
/**
 * A memory size with a binary unit, Kubernetes style: `256Mi`, `1Gi`, `512Ki`.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "quantity".
 */
export type MemoryQuantity2 = string

/**
 * The manifest of an AIP (agent package), `aip.yaml` at the package root: what the module is, how it runs, what it may touch, and which intents it serves. Unknown keys are rejected everywhere: a misspelled permission must never pass silently.
 */
export interface AipManifest {
  /**
   * Manifest format version.
   */
  apiVersion: 'aionos/v1'
  /**
   * Manifest kind.
   */
  kind: 'AgentPackage'
  metadata: AipMetadata
  runtime: AipRuntime
  permissions: AipPermissions
  entrypoints: AipEntrypoints
  /**
   * Intents this module serves; each must exist in intents.yml.
   *
   * @minItems 1
   * @maxItems 64
   */
  intents: IntentName[]
  policies: AipPolicies
}
/**
 * Identity, authorship and supply-chain references of the package.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "metadata".
 */
export interface AipMetadata {
  /**
   * Package (module) name: lower snake case, unique in modules.yml.
   */
  name: string
  /**
   * Semantic version of the package.
   */
  version: string
  /**
   * People or teams who wrote the package.
   *
   * @minItems 1
   * @maxItems 32
   */
  authors: string[]
  /**
   * SPDX license expression (`Apache-2.0`, `MIT OR Apache-2.0`).
   */
  license: string
  signatures?: AipSignatures
  /**
   * Reference to the package's SBOM (`oci://…`, `https://…`).
   */
  sbom?: string
}
/**
 * Where the package's signatures live. Signature verification at install is mandatory whether or not this is given (an OCI artifact's cosign signature is also found by digest).
 */
export interface AipSignatures {
  /**
   * Reference to the cosign signature (`sigstore://…`, `oci://…`).
   */
  cosign: string
}
/**
 * How the module runs: `wasm` (WASI preview1, JSON on stdin/stdout, the default) or `subprocess` (native or GPU work, sandboxed).
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "runtime".
 */
export interface AipRuntime {
  /**
   * Executor kind.
   */
  type: 'wasm' | 'subprocess'
  /**
   * Whether the module uses WASI (required, and true, for wasm; absent or false for subprocess).
   */
  wasi?: boolean
  module: PackagePath
  resources: AipResources
}
/**
 * Resource limits per instance. `memory` is mandatory: a module without a declared maximum is rejected at install.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "resources".
 */
export interface AipResources {
  /**
   * CPU limit in cores (`0.5`, `2`) or millicores (`500m`).
   */
  cpu?: string
  memory: MemoryQuantity
  gpu?: GpuPolicy
}
/**
 * GPU placement policy. `required: true` needs a GPU of `vendor` (and `count`/`memory` if given); the process then sees only the devices it was given.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "gpu".
 */
export interface GpuPolicy {
  /**
   * Whether the module needs a GPU to run.
   */
  required: boolean
  /**
   * GPU vendor the module is built for; `none` when no GPU is used.
   */
  vendor: 'nvidia' | 'amd' | 'intel' | 'none'
  /**
   * Number of GPUs needed.
   */
  count?: number
  memory?: MemoryQuantity1
}
/**
 * What the module may touch; everything not granted is denied.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "permissions".
 */
export interface AipPermissions {
  /**
   * `none`, or `read-only` access to the package's own files.
   */
  filesystem: 'none' | 'read-only'
  network: NetworkPermission
  /**
   * Names of secrets the module may read (upper snake case); a trailing `?` marks one as optional.
   *
   * @maxItems 32
   */
  secrets?: string[]
}
/**
 * How the module is called and what it accepts and returns.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "entrypoints".
 */
export interface AipEntrypoints {
  grpc?: AipGrpcEntrypoint
  schema: AipSchemaPaths
}
/**
 * A gRPC loopback entrypoint for subprocess modules that serve gRPC.
 */
export interface AipGrpcEntrypoint {
  /**
   * Loopback port; 0 lets the host assign one.
   */
  port: number
}
/**
 * JSON Schemas of the module's input and output, as files inside the package.
 */
export interface AipSchemaPaths {
  input: PackagePath1
  output: PackagePath2
}
/**
 * Execution policy per call.
 *
 * This interface was referenced by `AipManifest`'s JSON-Schema
 * via the `definition` "policies".
 */
export interface AipPolicies {
  /**
   * Wall-clock limit per call in milliseconds; the instance is killed after it.
   */
  timeout_ms: number
  /**
   * Retries after a retryable failure.
   */
  retries?: number
}
