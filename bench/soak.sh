#!/usr/bin/env bash
# make soak: about ten minutes of mixed, hostile load (echo, framed churn, resets, slow readers, UDP noise) against an
# in-process server; prints bytes sent/verified, errors, descriptors and heap at start and end. Not part of CI.
#   SOAK_DURATION=2m make soak      # a shorter run
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/nioreactor.jar}
[[ -f "$JAR" ]] || { echo "soak: $JAR is missing; run 'make jar' first" >&2; exit 2; }
# The server logs WARN and above: a soak is about what goes wrong, not per-connection chatter.
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" nioreactor.soak.Soak \
    --duration "${SOAK_DURATION:-10m}" --report "${SOAK_REPORT:-30s}"
