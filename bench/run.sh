#!/usr/bin/env bash
# make bench: nioreactor against a blocking thread-per-connection server (platform threads on JDK 17, virtual threads
# on a newer JDK), Netty with one NIO event loop and Netty with one native epoll event loop; UDP time against a blocking
# DatagramSocket server and the seed's Python server. Tables on stdout and in bench/results/latest.md.
#
# Options (environment): BENCH_SECONDS (measured seconds per round, default 1), BENCH_WARMUP (default 0.5),
# BENCH_ROUNDS (rounds per row, interleaved across servers; the median is reported; default 3),
# BENCH_CONNS (ping-pong connection counts, default 1,10,100,1000), BENCH_BIG_CONNS (16 KiB ping-pong, default 10),
# BENCH_FRAMED_CONNS (default 10), BENCH_DEPTH (pipelining depth, default 16), BENCH_CHURN (churn loops, default 8),
# BENCH_UDP_CLIENTS (default 16), BENCH_IDLE (idle connections, default 10000, capped by the descriptor limit),
# BENCH_SERVERS (comma list, default all), BENCH_SCENARIOS (pingpong,strategies,big,framed,churn,udp,idle,unix; strategies: issue 13; unix: nioreactor's
# upper-echo over AF_UNIX against loopback TCP, 64 B at 1 and 100 connections, 16 KiB at BENCH_BIG_CONNS), BENCH_SERVER_OPTS (extra JVM options for every server, e.g. JFR),
# JAVA17 / JAVA_NEW (JDK homes), BENCH_SKIP_BUILD=1 (reuse the jars).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

JAVA17=${JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -x "$JAVA17/bin/java" ] || JAVA17=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
if [ -z "${JAVA_NEW:-}" ]; then
  # The newest JDK 21+ under /usr/lib/jvm, for the virtual-thread peer.
  JAVA_NEW=""
  best=0
  for home in /usr/lib/jvm/*/; do
    home=${home%/}
    [ -x "$home/bin/java" ] || continue
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    major=${v%%.*}
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best" ]; then
      best=$major
      JAVA_NEW=$home
    fi
  done
fi

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "building nioreactor and the bench jar..."
  JAVA_HOME=$JAVA17 mvn -B -q -Dstyle.color=never -DbuildDir=target-bench install -DskipTests
  (cd bench && JAVA_HOME=$JAVA17 mvn -B -q -Dstyle.color=never package)
fi
JAR=$ROOT/bench/target/nioreactor-bench.jar

# Descriptors: each idle connection costs one in the server and one in the generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
FDS=$(ulimit -n)
IDLE=${BENCH_IDLE:-10000}
if [ "$FDS" != unlimited ] && [ "$IDLE" -gt $((FDS - 500)) ]; then
  IDLE=$((FDS - 500))
  echo "descriptor limit $FDS: idle scenario uses $IDLE connections"
fi

# Pinning: server on core 0, load generator on the others (one core here), when there are two or more.
CORES=$(nproc)
SERVER_CPU=""
LOAD_CPU=""
PIN=()
if command -v taskset >/dev/null && [ "$CORES" -ge 2 ]; then
  SERVER_CPU=0
  LOAD_CPU="1-$((CORES - 1))"
  [ "$CORES" -eq 2 ] && LOAD_CPU=1
  PIN=(taskset -c "$LOAD_CPU")
fi

echo "JDK 17 (nioreactor, blocking platform threads, Netty, load generator): $JAVA17 ($("$JAVA17/bin/java" -version 2>&1 | head -1))"
if [ -n "$JAVA_NEW" ]; then
  echo "newer JDK (blocking server on virtual threads): $JAVA_NEW ($("$JAVA_NEW/bin/java" -version 2>&1 | head -1))"
else
  echo "no JDK 21+ found under /usr/lib/jvm: the virtual-thread peer is skipped"
fi
echo "cores: $CORES; server core: ${SERVER_CPU:-none}; load generator cores: ${LOAD_CPU:-none}; fd limit: $FDS"
echo "load: $(uptime)"

# Priority: this machine is shared, so by default the bench runs at nice -10 (when allowed) to keep other users'
# builds from stealing the measured cores in the middle of a row. BENCH_NICE=0 turns that off.
NICE=()
if [ "${BENCH_NICE:--10}" != 0 ] && nice -n "${BENCH_NICE:--10}" true 2>/dev/null; then
  NICE=(nice -n "${BENCH_NICE:--10}")
  echo "running at nice ${BENCH_NICE:--10} (servers inherit it)"
fi

mkdir -p bench/results
"${NICE[@]}" "${PIN[@]}" "$JAVA17/bin/java" -Xms512m -Xmx1g -jar "$JAR" run \
  --jar "$JAR" --jdk "$JAVA17" --jdk-new "$JAVA_NEW" \
  --server-cpu "$SERVER_CPU" --load-cpu "$LOAD_CPU" \
  --seconds "${BENCH_SECONDS:-1}" --warmup "${BENCH_WARMUP:-0.5}" --rounds "${BENCH_ROUNDS:-3}" \
  --conns "${BENCH_CONNS:-1,10,100,1000}" --big-conns "${BENCH_BIG_CONNS:-10}" \
  --framed-conns "${BENCH_FRAMED_CONNS:-10}" --depth "${BENCH_DEPTH:-16}" \
  --churn-loops "${BENCH_CHURN:-8}" --udp-clients "${BENCH_UDP_CLIENTS:-16}" --idle "$IDLE" \
  --servers "${BENCH_SERVERS:-nioreactor,blocking,blocking-virtual,netty-nio,netty-epoll}" \
  --server-opts "${BENCH_SERVER_OPTS:-}" \
  --scenarios "${BENCH_SCENARIOS:-pingpong,strategies,big,framed,churn,udp,idle,unix}" \
  --python "$(command -v python3)" --seed-server bench/seed_time_server.py \
  --out bench/results/latest.md

# TLS (issue 12): nioreactor's TLS layer against Netty's SslHandler on the JDK provider, same JDK, certificate,
# protocol and suite, both pinned; the load generator is a TLS client through nioreactor's own client-mode layer.
if [ "${BENCH_TLS:-1}" != 0 ]; then
  "${NICE[@]}" "${PIN[@]}" "$JAVA17/bin/java" -Xms512m -Xmx1g -jar "$JAR" run \
    --jar "$JAR" --jdk "$JAVA17" --server-cpu "$SERVER_CPU" --load-cpu "$LOAD_CPU" \
    --seconds "${BENCH_SECONDS:-1}" --warmup "${BENCH_WARMUP:-0.5}" --rounds "${BENCH_ROUNDS:-3}" \
    --conns 100 --big-conns 10 --big-size 16384 --churn-loops "${BENCH_CHURN:-8}" --idle "$IDLE" \
    --servers nioreactor-tls,netty-nio-tls --scenarios "${BENCH_TLS_SCENARIOS:-pingpong,big,churn,idle}" \
    --tls-protocol "${BENCH_TLS_PROTOCOL:-TLSv1.3}" --tls-cipher "${BENCH_TLS_CIPHER:-TLS_AES_128_GCM_SHA256}" \
    --out bench/results/latest-tls.md
fi
echo "load at end: $(uptime)"
