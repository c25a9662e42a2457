/**
 * cosign-compatible signing: keys as cosign writes them, simple-signing
 * payloads, signature manifests at `sha256-<hex>.sig`, and verification
 * against a set of trusted public keys.
 */
export {
  DEFAULT_SCRYPT_N,
  encryptPrivateKey,
  generateCosignKeyPair,
  LEGACY_COSIGN_PRIVATE_KEY_LABEL,
  PUBLIC_KEY_LABEL,
  publicKeyPem,
  readCosignPrivateKey,
  readCosignPublicKey,
  SIGSTORE_PRIVATE_KEY_LABEL,
  type CosignKeyPairPem,
} from './cosign-keys.js'
export {
  appendSignature,
  buildSignatureManifest,
  digestTagPrefix,
  MANIFEST_MEDIA_TYPES,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  parseSignatureManifest,
  sha256Digest,
  SIGNATURE_ANNOTATION,
  signatureLayer,
  signatureTag,
  SIMPLE_SIGNING_MEDIA_TYPE,
  type Descriptor,
  type SignatureLayer,
  type SignatureManifest,
} from './signature-manifest.js'
export {
  COSIGN_SIGNATURE_TYPE,
  parseSimpleSigningPayload,
  simpleSigningPayload,
  type SimpleSigningClaims,
} from './simple-signing.js'
export {
  findSigner,
  keyIdOf,
  loadTrustedKeys,
  signPayload,
  trustedKey,
  type TrustedKey,
} from './trusted-keys.js'
export {
  resolveDigest,
  signArtifact,
  signatureLayers,
  verifyArtifact,
  type SignedArtifact,
  type VerifiedArtifact,
} from './cosign-registry.js'
