#!/usr/bin/env bash
# What two open dashboards cost the 100-connection 64 B ping-pong: bench/DashboardOverhead.java, on the built jar.
# Usage: bash bench/dashboard.sh [ROUNDS] [SECONDS] [BASELINE_JAR]   (defaults: 7 rounds of 5 s; no baseline)
# The server is pinned to core 0 and the generator to core 1, like bench/run.sh. Needs curl (the two "tabs").
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/nioreactor.jar ] || make jar
exec taskset -c 1 java -cp target/nioreactor.jar bench/DashboardOverhead.java target/nioreactor.jar "${1:-7}" "${2:-5}" ${3:+"$3"}
