#!/usr/bin/env bash
# The run-everything command (README): install what is missing, then run tools/dev/demo.ts, which
# brings up the local stack and the three services, places sample orders and prints the saga.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing OpenJDK 17 and Maven (needed for the local Kafka and database)"
    DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless maven
  else
    echo "Java 17+ (with javac) and Maven are needed for the local stack; install them (e.g. apt-get install openjdk-17-jdk-headless maven) and rerun." >&2
    exit 1
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> Installing npm packages"
  npm ci --no-audit --no-fund
fi
exec node --import tsx tools/dev/demo.ts "$@"
