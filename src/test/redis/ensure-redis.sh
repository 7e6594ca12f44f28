#!/usr/bin/env bash
# Sourced by make test-redis and make bench-kv: installs redis-tools (redis-cli, redis-benchmark) and redis-server with
# apt-get when any is missing (Debian bookworm has Redis 7.0), and fails when that does not work.
ensure_redis() {
    local tool missing=0
    for tool in redis-cli redis-server redis-benchmark; do
        command -v "$tool" >/dev/null || missing=1
    done
    if [ "$missing" = 1 ]; then
        echo "installing redis-tools and redis-server with apt-get"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-tools redis-server >/dev/null
    fi
    redis-server --version
}

# A loopback port nothing answers on (the small race with other programs is acceptable for a test or a benchmark).
free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "no free port found" >&2
    return 1
}

# Waits until something answers PING on port $1.
wait_ping() {
    for _ in $(seq 1 200); do
        [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ] && return 0
        sleep 0.05
    done
    echo "nothing answered PING on port $1" >&2
    return 1
}
