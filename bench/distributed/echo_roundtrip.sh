#!/bin/bash
# Round trip of {echo, Node} ! {self(), <<"hello">>} from an Erlang node, 2,000 in a row after
# a warm-up: distributed_echo on a lunatic node, then the same echo as an Erlang process on an
# Erlang node; prints the median and p90 of each, twice. Loopback, a private epmd.
#   bench/distributed/echo_roundtrip.sh [BUILD_DIR]   (default: build)
set -eu
build=${1:-build}
lunatic=$build/tools/lunatic/lunatic
echo_wasm=$build/examples/distributed_echo.wasm
export ERL_EPMD_PORT=${ERL_EPMD_PORT:-45999}
"$lunatic" run --name lb@127.0.0.1 --cookie bench "$echo_wasm" >/dev/null 2>&1 &
lunatic_pid=$!
erl -name eb@127.0.0.1 -setcookie bench -noshell \
  -eval 'register(echo, self()), Loop = fun L() -> receive {F, T} -> F ! T, L() end end, Loop().' &
erl_pid=$!
trap 'kill $lunatic_pid $erl_pid 2>/dev/null; wait $lunatic_pid $erl_pid 2>/dev/null; epmd -kill >/dev/null' EXIT
sleep 3
measure='Run = fun(Node) ->
  {echo, Node} ! {self(), warm}, receive warm -> ok end,
  Ts = [begin T0 = erlang:monotonic_time(microsecond), {echo, Node} ! {self(), <<"hello">>},
              receive <<"hello">> -> erlang:monotonic_time(microsecond) - T0 end end
        || _ <- lists:seq(1, 2000)],
  S = lists:sort(Ts),
  io:format("~s median ~p us p90 ~p us~n", [Node, lists:nth(1000, S), lists:nth(1800, S)]) end,
  [Run(N) || _ <- [1, 2], N <- [list_to_atom("lb@127.0.0.1"), list_to_atom("eb@127.0.0.1")]],
  halt().'
timeout 60 erl -name mb@127.0.0.1 -setcookie bench -noshell -eval "$measure"
