#!/usr/bin/env bash
# Prints the classpath of a dev/<engine>/pom.xml's jars (the JVM engines the
# tests and development run: Kafka, S3Proxy), resolved by mvn offline when the
# Maven repository has them, online otherwise (the first run). Cached in the
# POM's target/classpath.txt while every jar it names exists; written to a
# temporary file and moved, so engines starting side by side (parallel test
# files) never read a half-written one.
#
#   scripts/dev-classpath.sh <pom folder> <what, for messages: "the Kafka jars">
set -euo pipefail
pom_dir="$(cd "$1" && pwd)"
what="$2"
classpath_file="$pom_dir/target/classpath.txt"
classpath_ok() {
  [ -s "$classpath_file" ] || return 1
  local jar
  while IFS= read -r jar; do [ -f "$jar" ] || return 1; done < <(tr ':' '\n' <"$classpath_file")
}
if ! classpath_ok; then
  command -v mvn >/dev/null || {
    printf 'dev-classpath: mvn is not installed (it fetches %s)\n' "$what" >&2
    exit 2
  }
  mkdir -p "$pom_dir/target"
  tmp="$classpath_file.$$"
  if ! mvn -q -B -o -f "$pom_dir/pom.xml" dependency:build-classpath "-Dmdep.outputFile=$tmp" \
    >/dev/null 2>&1; then
    printf 'dev-classpath: fetching %s from Maven Central (first run)\n' "$what" >&2
    mvn -q -B -f "$pom_dir/pom.xml" dependency:build-classpath "-Dmdep.outputFile=$tmp" >&2
  fi
  mv "$tmp" "$classpath_file"
fi
cat "$classpath_file"
