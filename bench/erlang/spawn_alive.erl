#!/usr/bin/env escript
%% -*- erlang -*-
%%! +S 2:2 +P 4000000
%% Erlang's side of the spawn scaling rows (bench/run_process_bench.py --alive): spawn_join
%% (N = 100,000 children that each send 1 back, the parent receives all) while K idle processes
%% wait in receive. Prints "SAMPLE spawn_join_alive_K value us" per run and K.
%% Usage: escript spawn_alive.erl Runs K1,K2,... [Scale]
-mode(compile).

main([Runs, Alive | Rest]) ->
    Scale = case Rest of [] -> 1; [S | _] -> list_to_integer(S) end,
    N = 100000 div Scale,
    Ks = [list_to_integer(K) || K <- string:tokens(Alive, ",")],
    lists:foreach(fun(_) -> [run(K, N) || K <- Ks] end, lists:seq(1, list_to_integer(Runs))).

run(K, N) ->
    Idle = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, K)],
    Me = self(),
    T0 = erlang:monotonic_time(microsecond),
    spawn_children(N, Me),
    receive_n(N),
    T = erlang:monotonic_time(microsecond) - T0,
    io:format("SAMPLE spawn_join_alive_~B ~.4f us~n", [K, T / N]),
    [P ! stop || P <- Idle],
    wait_count(length(Idle)).

spawn_children(0, _) -> ok;
spawn_children(K, Me) -> spawn(fun() -> Me ! 1 end), spawn_children(K - 1, Me).

receive_n(0) -> ok;
receive_n(K) -> receive _ -> receive_n(K - 1) end.

%% Until the idle processes are gone, so the next K starts from an empty system.
wait_count(_) ->
    case erlang:system_info(process_count) > 50 of
        true -> timer:sleep(10), wait_count(0);
        false -> ok
    end.
