%% The Erlang side of bench/distributed/ping_roundtrip.sh: the same two loops as
%% examples/distributed/distributed_ping.cpp, between two Erlang nodes, compiled (not
%% erl_eval's interpreted funs, which are several times slower per message).
-module(dist_ping).
-export([run/1, worker/0]).

%% Answers {From, I} with I, ignores the rest.
worker() ->
    receive
        {From, I} -> From ! I, worker();
        _ -> worker()
    end.

%% 10,000 round trips to a worker spawned on Node (median), then 20,000 messages one way and
%% {self(), done}, whose answer comes after the worker took them all.
run(Node) ->
    true = net_kernel:connect_node(Node),
    Self = self(),
    W = spawn(Node, dist_ping, worker, []),
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
              [Median, round(Rate)]),
    rpc:call(Node, erlang, halt, []).
