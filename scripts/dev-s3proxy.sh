#!/usr/bin/env bash
# S3Proxy, an S3-API server, on loopback with its filesystem backend, for
# development (`npm run dev:s3`) and tests (test/support/s3proxy.ts).
#
#   scripts/dev-s3proxy.sh [DATA_DIR]     default DATA_DIR: .aion/s3proxy
#
# Environment (not AION_*: the platform refuses unknown AION_ variables):
#   DEV_S3PROXY_PORT             listener port                        (default 9000)
#   DEV_S3PROXY_ACCESS_KEY       identity clients sign with           (default aion-dev)
#   DEV_S3PROXY_SECRET_KEY       its credential                       (default aion-dev-secret)
#   DEV_S3PROXY_HEAP             JVM heap                             (default 256m)
#   DEV_S3PROXY_READY_TIMEOUT_S  how long to wait for the listener    (default 60)
#   DEV_S3PROXY_PARENT_PID       stop S3Proxy when this process is gone (tests set it)
#
# The platform reaches it with AION_S3_ENDPOINT=http://127.0.0.1:PORT,
# AION_S3_BUCKET=<any name: the platform creates it>, AION_S3_ACCESS_KEY_ID
# and AION_S3_SECRET_ACCESS_KEY set to the pair above.
#
# S3Proxy's shaded jar comes from Maven Central through dev/s3proxy/pom.xml
# into the local Maven repository: the first run downloads it, later runs
# resolve offline. Buckets are folders of DATA_DIR/buckets, kept between runs.
# S3Proxy runs in the foreground of this script, which prints
# `s3proxy ready on http://127.0.0.1:PORT` on stdout once it answers HTTP, and
# stops it on SIGTERM/SIGINT. Its log goes to DATA_DIR/s3proxy.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pom_dir="$root/dev/s3proxy"
data_dir="${1:-$root/.aion/s3proxy}"
port="${DEV_S3PROXY_PORT:-9000}"
access_key="${DEV_S3PROXY_ACCESS_KEY:-aion-dev}"
secret_key="${DEV_S3PROXY_SECRET_KEY:-aion-dev-secret}"
heap="${DEV_S3PROXY_HEAP:-256m}"
ready_timeout_s="${DEV_S3PROXY_READY_TIMEOUT_S:-60}"

say() { printf 'dev-s3proxy: %s\n' "$*" >&2; }

command -v java >/dev/null || { say "java is not installed (Java 17+ is needed)"; exit 2; }

classpath="$(bash "$root/scripts/dev-classpath.sh" "$pom_dir" "the S3Proxy jar")"

mkdir -p "$data_dir/buckets"
data_dir="$(cd "$data_dir" && pwd)"
config="$data_dir/s3proxy.conf"
# aws-v2-or-v4: S3Proxy checks the SDK's SigV4 signatures with the pair below.
cat >"$config" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access_key
s3proxy.credential=$secret_key
jclouds.provider=filesystem
jclouds.filesystem.basedir=$data_dir/buckets
EOF

# Something else answering on the port would pass the readiness check below.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  say "127.0.0.1:$port is already taken (set DEV_S3PROXY_PORT)"
  exit 1
fi

java "-Xmx$heap" -Xms32m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
  -cp "$classpath" org.gaul.s3proxy.Main --properties "$config" >>"$data_dir/s3proxy.log" 2>&1 &
server=$!
stop() { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; exit 0; }
trap stop TERM INT
# A test runner killed outright never sends SIGTERM; S3Proxy must not outlive it.
if [ -n "${DEV_S3PROXY_PARENT_PID:-}" ]; then
  (
    while kill -0 "$DEV_S3PROXY_PARENT_PID" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 2; done
    kill -TERM "$server" 2>/dev/null || true
  ) &
fi

deadline=$((SECONDS + ready_timeout_s))
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  if ! kill -0 "$server" 2>/dev/null; then
    say "S3Proxy exited before it listened; see $data_dir/s3proxy.log"
    tail -5 "$data_dir/s3proxy.log" >&2 || true
    wait "$server" || exit $?
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "S3Proxy did not listen on 127.0.0.1:$port within ${ready_timeout_s}s"
    kill -TERM "$server" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
echo "s3proxy ready on http://127.0.0.1:$port"
wait "$server"
