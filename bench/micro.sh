#!/usr/bin/env bash
# make bench-micro: JMH micro-benchmarks of the hot paths (upper-casing, frame decoding, the time service's reply),
# with the GC profiler so allocation per operation shows (gc.alloc.rate.norm: 0 B/op means no garbage).
# Extra JMH arguments pass through, e.g. `bash bench/micro.sh TimeReplies -f 1 -i 5`.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA17=${JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -x "$JAVA17/bin/java" ] || JAVA17=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  JAVA_HOME=$JAVA17 mvn -B -q -Dstyle.color=never -DbuildDir=target-bench install -DskipTests
  (cd bench && JAVA_HOME=$JAVA17 mvn -B -q -Dstyle.color=never package)
fi
exec "$JAVA17/bin/java" -cp bench/target/nioreactor-bench.jar org.openjdk.jmh.Main -prof gc "$@"
