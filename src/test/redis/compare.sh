#!/usr/bin/env bash
# make test-redis: the kv service (serve --kv) against the real redis-server, with the real redis-cli, line by line.
# Redis is the oracle: the same redis-cli script runs against both and the outputs must be identical; raw protocol
# requests (protocol.txt) go over bash's /dev/tcp to both. Installs redis-tools and redis-server with apt-get when
# missing; fails (never skips) when it cannot.
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=src/test/redis
jar=target/nioreactor.jar
maxmemory=268435456 # the service's default, given to redis-server so CONFIG GET maxmemory agrees

. "$here/ensure-redis.sh"
ensure_redis

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# The kv service picks a free port itself and names it in its "listening" line.
java -jar "$jar" serve --no-tcp --no-framed --no-udp --kv 0 >"$work/serve.log" 2>&1 &
pids+=($!)
kv_port=""
for _ in $(seq 1 200); do
    kv_port=$(sed -n 's/.*kv (Redis protocol) listening on tcp 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log")
    [ -n "$kv_port" ] && break
    sleep 0.05
done
[ -n "$kv_port" ] || { echo "test-redis: serve --kv did not start:"; cat "$work/serve.log"; exit 1; }
wait_ping "$kv_port" || { cat "$work/serve.log"; exit 1; }

# redis-server cannot pick its own port (0 turns TCP off), so try a few that look free.
redis_port=""
for _ in 1 2 3 4 5; do
    port=$(free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --databases 1 \
        --maxmemory "$maxmemory" --daemonize no --logfile "$work/redis.log" &
    pid=$!
    if wait_ping "$port" 2>/dev/null; then
        pids+=("$pid")
        redis_port=$port
        break
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
[ -n "$redis_port" ] || { echo "test-redis: redis-server did not start:"; cat "$work/redis.log"; exit 1; }

failed=0

# 1. The redis-cli script, typed outputs (--no-raw shows (integer), (nil), (error)...), compared line by line.
redis-cli --no-raw -p "$kv_port" <"$here/commands.txt" >"$work/kv.out" 2>&1
redis-cli --no-raw -p "$redis_port" <"$here/commands.txt" >"$work/redis.out" 2>&1
if diff -u --label redis-server "$work/redis.out" --label nioreactor "$work/kv.out"; then
    echo "test-redis: commands.txt: $(wc -l <"$here/commands.txt") commands, same replies as redis-server"
else
    echo "test-redis: commands.txt: replies differ from redis-server (above)"
    failed=1
fi

# 2. Raw protocol requests, each on a fresh connection: what comes back until the server closes or goes quiet.
raw() {
    local port=$1 request=$2
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port"
        printf -- "$request" >&3
        timeout 1 cat <&3 || true
    ) | od -An -c | tr -s ' \n' ' '
}
cases=0
while IFS=$'\t' read -r kind request expected; do
    case "$kind" in ''|'#'*) continue ;; esac
    cases=$((cases + 1))
    ours=$(raw "$kv_port" "$request")
    if [ "$kind" = same ]; then
        theirs=$(raw "$redis_port" "$request")
    else
        theirs=$(printf -- "$expected" | od -An -c | tr -s ' \n' ' ')
    fi
    if [ -z "$ours" ] || [ "$ours" != "$theirs" ]; then # every case answers something
        echo "test-redis: protocol case ($kind) $request"
        echo "   expected: $theirs"
        echo "   got:      $ours"
        failed=1
    fi
done <"$here/protocol.txt"
echo "test-redis: protocol.txt: $cases raw requests checked"

# 3. redis-benchmark, which checks every reply itself, runs a short load without errors.
if redis-benchmark -p "$kv_port" -t ping_mbulk,set,get,incr,mset -n 20000 -c 20 -P 8 -q >"$work/bench.out" 2>&1 \
        && ! grep -qi "error" "$work/bench.out"; then
    echo "test-redis: redis-benchmark ran cleanly: $(tr '\r' '\n' <"$work/bench.out" | grep -c 'requests per second') tests"
else
    cat "$work/bench.out"
    echo "test-redis: redis-benchmark failed against the kv service"
    failed=1
fi

if [ "$failed" != 0 ]; then
    echo "test-redis: FAILED"
    exit 1
fi
echo "test-redis: passed"
