#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, broker and controller in one
# process) on loopback, for development (`npm run dev:kafka`) and tests.
#
#   scripts/dev-kafka.sh [DATA_DIR]      default DATA_DIR: .aion/kafka
#
# Environment (not AION_*: the platform refuses unknown AION_ variables):
#   DEV_KAFKA_PORT             client listener port        (default 9092)
#   DEV_KAFKA_CONTROLLER_PORT  controller listener port    (default 9093)
#   DEV_KAFKA_HEAP             JVM heap                    (default 512m)
#   DEV_KAFKA_READY_TIMEOUT_S  how long to wait for the listener (default 90)
# A second, authenticated and encrypted listener (SASL_SSL, SCRAM-SHA-512),
# when all of these are set (the user is created when the data dir is formatted):
#   DEV_KAFKA_SASL_SSL_PORT    its port
#   DEV_KAFKA_SCRAM_USER, DEV_KAFKA_SCRAM_PASSWORD
#   DEV_KAFKA_TLS_PEM          PEM file: the listener's private key (PKCS#8,
#                              unencrypted) followed by its certificate chain
#
# The broker's jars come from Maven Central through dev/kafka/pom.xml into the
# local Maven repository: the first run downloads them, later runs resolve
# offline. The data directory is formatted on first use and kept; the broker
# runs in the foreground of this script, which prints
# `kafka ready on 127.0.0.1:PORT` on stdout once the listener accepts
# connections, and stops the broker on SIGTERM/SIGINT. Broker logs go to
# DATA_DIR/logs/server.log; warnings and errors to stderr too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pom_dir="$root/dev/kafka"
data_dir="${1:-$root/.aion/kafka}"
port="${DEV_KAFKA_PORT:-9092}"
controller_port="${DEV_KAFKA_CONTROLLER_PORT:-9093}"
heap="${DEV_KAFKA_HEAP:-512m}"
ready_timeout_s="${DEV_KAFKA_READY_TIMEOUT_S:-90}"
sasl_ssl_port="${DEV_KAFKA_SASL_SSL_PORT:-}"
scram_user="${DEV_KAFKA_SCRAM_USER:-}"
scram_password="${DEV_KAFKA_SCRAM_PASSWORD:-}"
tls_pem="${DEV_KAFKA_TLS_PEM:-}"
secure=""
if [ -n "$sasl_ssl_port" ] && [ -n "$scram_user" ] && [ -n "$scram_password" ] && [ -n "$tls_pem" ]; then
  secure=1
fi

say() { printf 'dev-kafka: %s\n' "$*" >&2; }

command -v java >/dev/null || { say "java is not installed (Java 17+ is needed)"; exit 2; }

classpath="$(bash "$root/scripts/dev-classpath.sh" "$pom_dir" "the Kafka jars")"

mkdir -p "$data_dir/logs"
data_dir="$(cd "$data_dir" && pwd)"
config="$data_dir/server.properties"
cat >"$config" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port${secure:+,SASL_SSL://127.0.0.1:$sasl_ssl_port}
advertised.listeners=PLAINTEXT://127.0.0.1:$port${secure:+,SASL_SSL://127.0.0.1:$sasl_ssl_port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs=$data_dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
EOF
if [ -n "$secure" ]; then
  cat >>"$config" <<EOF
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$(cd "$(dirname "$tls_pem")" && pwd)/$(basename "$tls_pem")
EOF
fi

# Properties format: the broker's default configuration is YAML, which would
# need jackson-dataformat-yaml on the log4j side.
log_config="$data_dir/log4j2.properties"
cat >"$log_config" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $data_dir/logs/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = kafka [%d] %p %m (%c)%n
appender.err.filter.threshold.type = ThresholdFilter
appender.err.filter.threshold.level = warn
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
rootLogger.appenderRef.err.ref = err
EOF

jvm=(java "-Xmx$heap" -Xms64m -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$log_config" "-Dkafka.logs.dir=$data_dir/logs" -cp "$classpath")

if [ ! -f "$data_dir/data/meta.properties" ]; then
  cluster_id="$("${jvm[@]}" kafka.tools.StorageTool random-uuid)"
  scram=()
  [ -z "$secure" ] || scram=(--add-scram "SCRAM-SHA-512=[name=$scram_user,password=$scram_password]")
  "${jvm[@]}" kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$config" \
    "${scram[@]}" >/dev/null
fi

"${jvm[@]}" kafka.Kafka "$config" &
broker=$!
stop() { kill -TERM "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true; exit 0; }
trap stop TERM INT

deadline=$((SECONDS + ready_timeout_s))
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  if ! kill -0 "$broker" 2>/dev/null; then
    say "the broker exited before it listened; see $data_dir/logs/server.log"
    wait "$broker" || exit $?
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "the broker did not listen on 127.0.0.1:$port within ${ready_timeout_s}s"
    kill -TERM "$broker" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
echo "kafka ready on 127.0.0.1:$port${secure:+ (SASL_SSL on 127.0.0.1:$sasl_ssl_port)}"
wait "$broker"
