#!/bin/bash
# Two nodes on the same loopback: distributed_ping (10,000 pings of {Self, I} to a worker
# spawned on the other node, median round trip; then 20,000 messages one way, per second),
# for one or more lunatic binaries and `erlang` (the same two loops between two Erlang nodes,
# the worker spawned on the other node as in the example), ROUNDS times each, interleaved
# (A B erlang A B erlang ...) so that the machine's load falls on all alike. A private epmd.
# Prints one line per run, the medians of each, and the load average.
#   bench/distributed/ping_roundtrip.sh ROUNDS PING_WASM LUNATIC... [erlang]
set -eu
rounds=$1
wasm=$2
shift 2
export ERL_EPMD_PORT=${ERL_EPMD_PORT:-45998}
results=$(mktemp)
erlang_beam=$(mktemp -d)
trap 'epmd -kill >/dev/null 2>&1 || true; rm -rf "$results" "$erlang_beam"' EXIT

# The Erlang pair (dist_ping.erl, compiled here): pb runs nothing but its node; pa spawns the
# worker there and measures.
erlc -o "$erlang_beam" "$(dirname "$0")/dist_ping.erl"
erlang_run() {
  erl -pa "$erlang_beam" -name pb@127.0.0.1 -setcookie bench -noshell \
    -eval 'receive after 120000 -> halt() end.' &
  local b=$!
  sleep 1
  timeout 120 erl -pa "$erlang_beam" -name pa@127.0.0.1 -setcookie bench -noshell \
    -eval 'dist_ping:run(list_to_atom("pb@127.0.0.1")), halt().'
  wait $b || true
}

lunatic_run() {
  "$1" run --name pb@127.0.0.1 --cookie bench "$wasm" >/dev/null 2>&1 &
  local b=$!
  sleep 0.5
  timeout 60 "$1" run --name pa@127.0.0.1 --cookie bench "$wasm" pb@127.0.0.1
  wait $b || true
}

for round in $(seq "$rounds"); do
  for lunatic in "$@"; do
    if [ "$lunatic" = erlang ]; then out=$(erlang_run); else out=$(lunatic_run "$lunatic"); fi
    rtt=$(sed -n 's/.*median round trip \(.*\) us/\1/p' <<<"$out")
    rate=$(sed -n 's/.*messages one way, \(.*\) per second/\1/p' <<<"$out")
    echo "round $round $lunatic rtt ${rtt} us, ${rate} messages/s"
    echo "$lunatic $rtt $rate" >>"$results"
  done
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for lunatic in "$@"; do
  rtt=$(awk -v who="$lunatic" '$1 == who { print $2 }' "$results" | median)
  rate=$(awk -v who="$lunatic" '$1 == who { print $3 }' "$results" | median)
  echo "median $lunatic: rtt $rtt us, $rate messages/s ($rounds runs)"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
