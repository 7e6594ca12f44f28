#!/usr/bin/env bash
# make bench-kv (part of make bench): the kv service (serve --kv) against redis-server 7 (--save '' --appendonly no),
# both pinned to core 0 with taskset, redis-benchmark pinned to core 1 (it checks every reply itself).
#
# Throughput: -t ping_mbulk,set,get -c 50 -d 64 -r 100000, each test run on its own, at -P 1 and -P 16, in rounds
# that alternate the servers; the median of the rounds is reported, with the server's CPU per request (utime+stime
# from /proc/PID/stat around the run, divided by the requests).
# Memory: 1,000,000 SETs of distinct 16-byte keys with 64-byte values, loaded with redis-cli --pipe into a fresh
# server; reported per key: redis-server's used_memory growth and RSS growth, the JVM's heap growth after a full GC
# (jcmd GC.run, then GC.heap_info) and RSS growth.
#
# Options (environment): KV_ROUNDS (default 3), KV_REQUESTS_P1 (default 100000), KV_REQUESTS_P16 (default 1000000),
# KV_KEYS (default 1000000), KV_SKIP_BUILD=1 (reuse target/nioreactor.jar), KV_JAVA_OPTS (extra JVM options, e.g. JFR).
set -euo pipefail
cd "$(dirname "$0")/.."
. src/test/redis/ensure-redis.sh
ensure_redis

ROUNDS=${KV_ROUNDS:-3}
N1=${KV_REQUESTS_P1:-100000}
N16=${KV_REQUESTS_P16:-1000000}
KEYS=${KV_KEYS:-1000000}
JAR=target/nioreactor.jar
[ "${KV_SKIP_BUILD:-0}" = 1 ] || make --no-print-directory jar >/dev/null
OUT=bench/results/kv-latest.md
mkdir -p bench/results
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# start_redis / start_kv: set PORT and PID of a fresh server pinned to core 0.
start_redis() {
    # redis-server cannot pick its own port (0 turns TCP off): try a few that look free.
    for _ in 1 2 3 4 5; do
        PORT=$(free_port)
        taskset -c 0 redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
            --logfile "$work/redis.log" &
        PID=$!
        if wait_ping "$PORT" 2>/dev/null; then
            pids+=("$PID")
            return
        fi
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    done
    cat "$work/redis.log"
    return 1
}
start_kv() {
    # shellcheck disable=SC2086
    taskset -c 0 java ${KV_JAVA_OPTS:-} -jar "$JAR" serve --no-tcp --no-framed --no-udp --kv 0 >"$work/kv.log" 2>&1 &
    PID=$!
    pids+=("$PID")
    PORT=""
    for _ in $(seq 1 200); do
        PORT=$(sed -n 's/.*kv (Redis protocol) listening on tcp 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/kv.log")
        [ -n "$PORT" ] && break
        sleep 0.05
    done
    [ -n "$PORT" ] || { cat "$work/kv.log"; return 1; }
    wait_ping "$PORT"
}
stop() {
    kill "$1"
    wait "$1" 2>/dev/null || true
}
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}
rss_kib() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# One redis-benchmark run: prints "rps cpu_us_per_request".
run_one() {
    local port=$1 pid=$2 test=$3 pipeline=$4 n=$5 before after rps
    before=$(cpu_ticks "$pid")
    taskset -c 1 redis-benchmark -p "$port" -t "$test" -c 50 -d 64 -r 100000 -P "$pipeline" -n "$n" --csv \
        >"$work/bench.csv" 2>&1
    after=$(cpu_ticks "$pid")
    if grep -qi "error" "$work/bench.csv"; then
        cat "$work/bench.csv" >&2
        return 1
    fi
    rps=$(awk -F'"' 'NR > 1 && $2 != "" {print $4; exit}' "$work/bench.csv")
    awk -v rps="$rps" -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
        'BEGIN {printf "%.0f %.2f\n", rps, t / hz * 1e6 / n}'
}

median() {
    sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

echo "kv bench: $ROUNDS rounds; -P 1: $N1 requests, -P 16: $N16 requests per test"
start_redis
redis_port=$PORT redis_pid=$PID
start_kv
kv_port=$PORT kv_pid=$PID
# The JVM compiles its hot paths in the first seconds: warm it (and redis, for symmetry) before measuring.
for p in "$redis_port" "$kv_port"; do
    taskset -c 1 redis-benchmark -p "$p" -t ping_mbulk,set,get -c 50 -d 64 -r 100000 -P 16 -n 300000 -q >/dev/null
done

for round in $(seq 1 "$ROUNDS"); do
    for pipeline in 1 16; do
        n=$N1
        [ "$pipeline" = 16 ] && n=$N16
        for test in ping_mbulk set get; do
            for server in redis kv; do
                if [ "$server" = redis ]; then port=$redis_port pid=$redis_pid; else port=$kv_port pid=$kv_pid; fi
                run_one "$port" "$pid" "$test" "$pipeline" "$n" >>"$work/$server-$test-P$pipeline"
            done
        done
    done
    echo "  round $round done"
done

{
    echo "| test | -P | redis-server req/s | nioreactor kv req/s | kv / redis | redis CPU us/req | kv CPU us/req |"
    echo "|---|---|---|---|---|---|---|"
    for pipeline in 1 16; do
        for test in ping_mbulk set get; do
            r=$(cut -d' ' -f1 "$work/redis-$test-P$pipeline" | median)
            k=$(cut -d' ' -f1 "$work/kv-$test-P$pipeline" | median)
            rc=$(cut -d' ' -f2 "$work/redis-$test-P$pipeline" | median)
            kc=$(cut -d' ' -f2 "$work/kv-$test-P$pipeline" | median)
            awk -v t="$test" -v p="$pipeline" -v r="$r" -v k="$k" -v rc="$rc" -v kc="$kc" \
                'BEGIN {printf "| %s | %s | %d | %d | %.2fx | %.2f | %.2f |\n", t, p, r, k, k / r, rc, kc}'
        done
    done
} >"$work/throughput.md"
cat "$work/throughput.md"
stop "$redis_pid"
stop "$kv_pid"

# ----------------------------------------------------------------------------------------------- memory
echo "kv bench: memory, $KEYS keys of 16 bytes with 64-byte values"
awk -v n="$KEYS" 'BEGIN {
    v = sprintf("%064d", 0); gsub(/0/, "v", v)
    for (i = 0; i < n; i++) {
        k = sprintf("key:%012d", i)
        printf "*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$64\r\n%s\r\n", k, v
    }
}' >"$work/load.resp"

info_field() {
    redis-cli -p "$1" info memory | tr -d '\r' | sed -n "s/^$2://p"
}
heap_used_kib() {
    jcmd "$1" GC.run >/dev/null
    # One core: the JVM picks the Serial collector, whose heap_info lists each generation; G1 lists one heap.
    jcmd "$1" GC.heap_info | awk '/(generation|heap) +total/ {
        for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); sum += v } }
        END {print sum + 0}'
}
load() {
    redis-cli -p "$1" --pipe <"$work/load.resp" >"$work/pipe.out"
    grep -q "errors: 0, replies: $KEYS" "$work/pipe.out" || { cat "$work/pipe.out"; return 1; }
    [ "$(redis-cli -p "$1" dbsize)" = "$KEYS" ]
}

start_redis
used0=$(info_field "$PORT" used_memory)
rss0=$(rss_kib "$PID")
load "$PORT"
used1=$(info_field "$PORT" used_memory)
rss1=$(rss_kib "$PID")
stop "$PID"

start_kv
heap0=$(heap_used_kib "$PID")
krss0=$(rss_kib "$PID")
kused0=$(info_field "$PORT" used_memory)
load "$PORT"
heap1=$(heap_used_kib "$PID")
krss1=$(rss_kib "$PID")
kused1=$(info_field "$PORT" used_memory)
stop "$PID"

{
    echo "| server | bytes per key | what |"
    echo "|---|---|---|"
    awk -v a="$used0" -v b="$used1" -v n="$KEYS" 'BEGIN {printf "| redis-server | %.1f | used_memory growth |\n", (b - a) / n}'
    awk -v a="$rss0" -v b="$rss1" -v n="$KEYS" 'BEGIN {printf "| redis-server | %.1f | RSS growth |\n", (b - a) * 1024 / n}'
    awk -v a="$heap0" -v b="$heap1" -v n="$KEYS" 'BEGIN {printf "| nioreactor kv | %.1f | JVM heap growth after a full GC |\n", (b - a) * 1024 / n}'
    awk -v a="$kused0" -v b="$kused1" -v n="$KEYS" 'BEGIN {printf "| nioreactor kv | %.1f | its own used_memory estimate |\n", (b - a) / n}'
    awk -v a="$krss0" -v b="$krss1" -v n="$KEYS" 'BEGIN {printf "| nioreactor kv | %.1f | RSS growth |\n", (b - a) * 1024 / n}'
} >"$work/memory.md"

{
    echo "# kv: nioreactor serve --kv against redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, servers on core 0, redis-benchmark on core 1; median of $ROUNDS rounds."
    echo
    cat "$work/throughput.md"
    echo
    cat "$work/memory.md"
} | tee "$OUT"
