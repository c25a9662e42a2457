#!/usr/bin/env bash
# Runbook step 6: install the sample packages from an OCI registry with
# `aionctl install` (signature verified against the trusted key), start the
# platform on them and run a smoke test with `aionctl submit`.
#
#   scripts/install-samples.sh <registry host:port>      e.g. localhost:5000
#
# Any OCI registry works (`docker-registry serve <config>` from Debian's
# docker-registry, or `docker run -p 5000:5000 registry:2`); loopback ones are
# reached over plain HTTP, others need HTTPS or AION_REGISTRY_INSECURE.
#
# Environment:
#   COSIGN_PASSWORD   password of the signing key (made on the first run)   required
#   KEY_PREFIX        signing key files <prefix>.key/.pub   default .aion/cosign
#   AION_DATA_DIR     data directory (store, object store)  default .aion
#   AION_MODULES_DIR  where packages are installed           default .aion/installed-modules
#                     (not ./modules: an install replaces the folder of its name)
#   SKIP_PUSH=1       install what the registry already holds (signed elsewhere)
#   SKIP_BUILD=1      the WASM samples are built already (npm run build:modules)
#   SKIP_SMOKE=1      install only
# Other AION_* settings (registry credentials, AION_DATABASE_URL, …) apply as usual.
set -euo pipefail

registry=${1:?usage: scripts/install-samples.sh <registry host:port>}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
aionctl() { node "$root/bin/aionctl.js" "$@"; }

export AION_DATA_DIR=${AION_DATA_DIR:-.aion}
export AION_MODULES_DIR=${AION_MODULES_DIR:-.aion/installed-modules}
key_prefix=${KEY_PREFIX:-.aion/cosign}
: "${COSIGN_PASSWORD:?set COSIGN_PASSWORD (password of the signing key)}"
export COSIGN_PASSWORD
mkdir -p "$(dirname "$key_prefix")" "$AION_MODULES_DIR"

if [ ! -f "$key_prefix.key" ]; then
  aionctl keygen --output-key-prefix "$key_prefix"
fi
export AION_TRUSTED_KEYS="$key_prefix.pub"

# The WASM samples must be built before they are packed.
[ -n "${SKIP_PUSH:-}${SKIP_BUILD:-}" ] || npm run --silent build:modules

for dir in modules/*/; do
  name=$(basename "$dir")
  version=$(sed -n 's/^  version: *//p' "$dir/aip.yaml" | head -n 1)
  ref="$registry/aion/$name:$version"
  if [ -z "${SKIP_PUSH:-}" ]; then
    aionctl push "$dir" "$ref"
    aionctl sign --key "$key_prefix.key" "$ref"
  fi
  aionctl install "$ref"
done

[ -z "${SKIP_SMOKE:-}" ] || exit 0

# Smoke test: the platform on the installed packages, one task through each WASM sample.
key=$(aionctl keys create --name install-samples-smoke --scope tasks:write --scope tasks:read --json |
  sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
log=$(mktemp)
AION_PORT=${AION_PORT:-0} node --max-semi-space-size=32 scripts/start.mjs >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  url=$(sed -n 's/^OMERTAOS is up at \(.*\)$/\1/p' "$log")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { echo "the platform did not start" >&2; cat "$log" >&2; exit 1; }
export AION_URL=$url AION_API_KEY=$key

smoke() {
  local out
  out=$(aionctl submit --wait --json "$@")
  echo "$out"
  grep -q '"status": "succeeded"' <<<"$out" || { echo "smoke test failed: $*" >&2; exit 1; }
}
smoke --intent summarize --param max_sentences=1 \
  --param 'text=Signed packages are verified before they run. Quarantined ones never run. Registries serve them.'
smoke --intent redact_pii --param 'text=Mail ada@example.com or call +44 20 7946 0958.'
echo "smoke test passed: samples installed from $registry and serving at $url"
