%% The Erlang side of bench/distributed/run_dist_bench.py (and ping_roundtrip.sh): the same
%% two loops as examples/distributed/distributed_ping.cpp, between two Erlang nodes or from an
%% Erlang node to a registered echo process (distributed_echo.wasm on a lunatic node, or
%% echo/0 here on an Erlang node), compiled (not erl_eval's interpreted funs, which are
%% several times slower per message).
-module(dist_ping).
-export([run/1, run_echo/1, worker/0, echo/0]).

%% Answers {From, I} with I, ignores the rest.
worker() ->
    receive
        {From, I} -> From ! I, worker();
        _ -> worker()
    end.

%% The echo process of the Erlang node in the echo rows: registered as `echo`, as
%% distributed_echo.wasm is on a lunatic node; the same answers as worker/0.
echo() ->
    register(echo, self()),
    worker().

%% 10,000 round trips to a worker spawned on Node (median), then 20,000 messages one way.
run(Node) ->
    connect(Node, 200),
    W = spawn(Node, dist_ping, worker, []),
    measure(W),
    rpc:call(Node, erlang, halt, []).

%% The same loops to {echo, Node} (name sends: Node may be a lunatic node, which runs no
%% Erlang code to spawn); Node is left running.
run_echo(Node) ->
    connect(Node, 200),
    measure({echo, Node}).

%% Node may still be coming up: retried every 50 ms, 10 s at most.
connect(Node, 0) -> error({cannot_connect, Node});
connect(Node, Tries) ->
    case net_kernel:connect_node(Node) of
        true -> ok;
        _ -> timer:sleep(50), connect(Node, Tries - 1)
    end.

%% 10,000 round trips of {Self, I} (median), then 20,000 messages one way and {Self, done},
%% whose answer comes after the worker took them all.
measure(W) ->
    Self = self(),
    W ! {Self, warm},
    receive warm -> ok after 5000 -> error(no_answer) end,
    Ts = [begin
              T0 = erlang:monotonic_time(nanosecond),
              W ! {Self, I},
              receive I -> erlang:monotonic_time(nanosecond) - T0 end
          end || I <- lists:seq(1, 10000)],
    Median = lists:nth(5000, lists:sort(Ts)) / 1000,
    S0 = erlang:monotonic_time(nanosecond),
    [W ! I || I <- lists:seq(1, 20000)],
    W ! {Self, done},
    receive done -> ok end,
    Rate = 20000 / ((erlang:monotonic_time(nanosecond) - S0) / 1.0e9),
    io:format("10000 pings, median round trip ~.1f us~n20000 messages one way, ~w per second~n",
              [Median, round(Rate)]).
