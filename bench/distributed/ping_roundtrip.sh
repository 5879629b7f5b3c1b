#!/bin/bash
# Round trip between two lunatic nodes: distributed_ping (10,000 pings of {Self, I} to a worker
# spawned on the other node, median), for one or more lunatic binaries, ROUNDS times each,
# interleaved (A B A B ...) so that the machine's load falls on all alike. Loopback, a private
# epmd. Prints one line per run and the load average.
#   bench/distributed/ping_roundtrip.sh ROUNDS PING_WASM LUNATIC...
set -eu
rounds=$1
wasm=$2
shift 2
export ERL_EPMD_PORT=${ERL_EPMD_PORT:-45998}
trap 'epmd -kill >/dev/null 2>&1 || true' EXIT
for round in $(seq "$rounds"); do
  for lunatic in "$@"; do
    "$lunatic" run --name pb@127.0.0.1 --cookie bench "$wasm" >/dev/null 2>&1 &
    b=$!
    sleep 0.5
    median=$(timeout 60 "$lunatic" run --name pa@127.0.0.1 --cookie bench "$wasm" pb@127.0.0.1 |
      sed -n 's/.*median round trip \(.*\) us/\1/p')
    wait $b || true
    echo "round $round $lunatic ${median} us"
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
