#!/usr/bin/env escript
%% -*- erlang -*-
%%! +S 2:2
%% The process benchmarks of docs/benchmarks.md ("Processes") in Erlang, the same programs as
%% bench/processes/guest.hpp. Prints one "SAMPLE name value unit" line per run of each.
%% Usage: escript processes.erl [Runs] [Scale] [messages]   (Scale divides every N, for smoke
%% tests; `messages` runs only the message rows of run_messages/1, the real-ABI C guest's)
-mode(compile).

main(Args) ->
    {Runs, Scale} = case Args of
                        [] -> {3, 1};
                        [R] -> {list_to_integer(R), 1};
                        [R, S | _] -> {list_to_integer(R), list_to_integer(S)}
                    end,
    N = 100000 div Scale,
    case lists:member("messages", Args) of
        true -> lists:foreach(fun(_) -> run_messages(Scale) end, lists:seq(1, Runs));
        false -> lists:foreach(fun(_) -> run_all(N), run_messages(Scale) end, lists:seq(1, Runs))
    end.

%% The rows of bench/processes/guests/messages.c: spawn_join, ping-pong, the ring at three sizes
%% (not scaled: the size names the row) and round trips of payloads from 8 bytes to 1 MiB (a
%% binary, as a real program would send bytes).
run_messages(Scale) ->
    N = 100000 div Scale,
    sample("spawn_join", spawn_join(N) / N, "us"),
    sample("pingpong", ping(N) / N, "us"),
    lists:foreach(fun(RingN) ->
                          Name = "ring_" ++ integer_to_list(RingN div 1000) ++ "k",
                          sample(Name, 100 * (RingN + 1) / ring(RingN), "Mmsg/s")
                  end, [1000, 10000, 100000]),
    lists:foreach(fun({Name, Bytes, N}) ->
                          sample(Name, payload(Bytes, N div Scale) / (N div Scale), "us")
                  end, [{"payload_8", 8, 100000}, {"payload_1k", 1024, 100000},
                        {"payload_64k", 65536, 10000}, {"payload_1m", 1048576, 1000}]).

%% N round trips of a Bytes-byte binary with an echo process.
payload(Bytes, N) ->
    Me = self(),
    Bin = binary:copy(<<16#ab>>, Bytes),
    P = spawn(fun() -> echo(Me) end),
    T0 = now_us(),
    payload_loop(P, Bin, N),
    T = now_us() - T0,
    P ! <<>>,
    receive <<>> -> ok end,
    T.

echo(Parent) ->
    receive B -> Parent ! B, case B of <<>> -> ok; _ -> echo(Parent) end end.

payload_loop(_, _, 0) -> ok;
payload_loop(P, Bin, K) -> P ! Bin, receive B when is_binary(B) -> payload_loop(P, B, K - 1) end.

run_all(N) ->
    sample("spawn", spawn_plain(N) / N, "us"),
    sample("idle_memory", idle_memory(N) / N, "bytes"),
    sample("link_kill", link_kill(N) / 1000, "ms"),
    sample("monitor_kill", monitor_kill(N) / 1000, "ms").

sample(Name, Value, Unit) ->
    io:format("SAMPLE ~s ~.4f ~s~n", [Name, float(Value), Unit]).

now_us() -> erlang:monotonic_time(microsecond).

%% N processes that end at once, spawned from one process, until all have ended.
spawn_plain(N) ->
    Base = erlang:system_info(process_count),
    T0 = now_us(),
    spawn_loop(N),
    wait_count(Base),
    now_us() - T0.

spawn_loop(0) -> ok;
spawn_loop(K) -> spawn(fun() -> ok end), spawn_loop(K - 1).

wait_count(Base) ->
    case erlang:system_info(process_count) =< Base of
        true -> ok;
        false -> erlang:yield(), wait_count(Base)
    end.

%% N children that each send 1 back; the parent receives the N messages.
spawn_join(N) ->
    Me = self(),
    T0 = now_us(),
    spawn_children(N, Me),
    receive_n(N),
    now_us() - T0.

spawn_children(0, _) -> ok;
spawn_children(K, Me) -> spawn(fun() -> Me ! 1 end), spawn_children(K - 1, Me).

receive_n(0) -> ok;
receive_n(K) -> receive _ -> receive_n(K - 1) end.

%% A ring of N nodes and this process; the token goes 100 times around.
ring(N) ->
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> ring_node(Next) end) end, self(),
                       lists:seq(1, N)),
    T0 = now_us(),
    rounds(Last, 100),
    T = now_us() - T0,
    Last ! 0,
    receive 0 -> ok end,
    T.

ring_node(Next) ->
    receive V -> Next ! V, case V of 0 -> ok; _ -> ring_node(Next) end end.

rounds(_, 0) -> ok;
rounds(Last, K) -> Last ! 1, receive _ -> rounds(Last, K - 1) end.

%% N round trips with an echo process.
ping(N) ->
    Me = self(),
    P = spawn(fun() -> pong(Me) end),
    T0 = now_us(),
    ping_loop(P, N),
    T = now_us() - T0,
    P ! 0,
    receive 0 -> ok end,
    T.

pong(Parent) ->
    receive V -> Parent ! V, case V of 0 -> ok; _ -> pong(Parent) end end.

ping_loop(_, 0) -> ok;
ping_loop(P, K) -> P ! 1, receive _ -> ping_loop(P, K - 1) end.

%% A hub with N idle processes linked to it is killed; the time until all N have died of the
%% exit signals (process count back to where it was).
link_kill(N) ->
    Me = self(),
    Base = erlang:system_info(process_count),
    Hub = spawn(fun() -> link_hub(Me, N) end),
    receive linked -> ok end,
    T0 = now_us(),
    exit(Hub, kill),
    wait_count(Base),
    now_us() - T0.

link_hub(Parent, N) ->
    Hub = self(),
    [spawn_link(fun() -> Hub ! 1, receive stop -> ok end end) || _ <- lists:seq(1, N)],
    receive_n(N),
    Parent ! linked,
    receive stop -> ok end.

%% N idle processes linked to a hub, each monitoring one target, and the hub is killed; the
%% time until all N have died (each death removes its monitor from the target).
monitor_kill(N) ->
    Me = self(),
    Base = erlang:system_info(process_count),
    Target = spawn(fun() -> receive stop -> ok end end),
    Hub = spawn(fun() -> monitor_hub(Me, Target, N) end),
    receive linked -> ok end,
    T0 = now_us(),
    exit(Hub, kill),
    wait_count(Base + 1),
    T = now_us() - T0,
    Target ! stop,
    wait_count(Base),
    T.

monitor_hub(Parent, Target, N) ->
    Hub = self(),
    [spawn_link(fun() -> monitor(process, Target), Hub ! 1, receive stop -> ok end end)
     || _ <- lists:seq(1, N)],
    receive_n(N),
    Parent ! linked,
    receive stop -> ok end.

%% Resident memory per process of N processes parked in receive (RSS delta / N).
idle_memory(N) ->
    Me = self(),
    R0 = rss(),
    Pids = [spawn(fun() -> Me ! 1, receive stop -> ok end end) || _ <- lists:seq(1, N)],
    receive_n(N),
    R1 = rss(),
    [P ! stop || P <- Pids],
    wait_dead(Pids),
    R1 - R0.

wait_dead(Pids) ->
    lists:foreach(fun(P) ->
                          Ref = monitor(process, P),
                          receive {'DOWN', Ref, _, _, _} -> ok end
                  end, Pids).

rss() ->
    {ok, Bin} = file:read_file("/proc/self/statm"),
    [_, Resident | _] = string:split(binary_to_list(Bin), " ", all),
    list_to_integer(Resident) * 4096.
