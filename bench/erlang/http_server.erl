#!/usr/bin/env escript
%% -*- erlang -*-
%% The keep-alive HTTP server of bench/net (http_guest.c, http_native.cpp) in Erlang with
%% gen_tcp: the acceptor hands each connection to a process of its own, which answers every
%% complete request (ending in an empty line) with "Hello, world!". Prints "listening on PORT".
%% Usage: ERL_FLAGS="+S N:N" escript http_server.erl [Port]   (Port 0: any free port)
-mode(compile).

-define(RESPONSE, <<"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
                   "Hello, world!">>).

main(Args) ->
    Port = case Args of [] -> 0; [P | _] -> list_to_integer(P) end,
    {ok, Listen} = gen_tcp:listen(Port, [binary, {active, false}, {reuseaddr, true},
                                         {ip, {127, 0, 0, 1}}, {backlog, 4096},
                                         {nodelay, true}]),
    {ok, Bound} = inet:port(Listen),
    io:format("listening on ~b~n", [Bound]),
    accept(Listen).

accept(Listen) ->
    case gen_tcp:accept(Listen) of
        {ok, Socket} ->
            Pid = spawn(fun() -> receive {stream, S} -> serve(S, <<>>) end end),
            ok = gen_tcp:controlling_process(Socket, Pid),
            Pid ! {stream, Socket};
        {error, _} ->
            ok
    end,
    accept(Listen).

serve(Socket, Buffer) ->
    case gen_tcp:recv(Socket, 0) of
        {ok, Data} ->
            Rest = answer(Socket, <<Buffer/binary, Data/binary>>),
            if byte_size(Rest) >= 8192 -> gen_tcp:close(Socket);  % a request too large
               true -> serve(Socket, Rest)
            end;
        {error, _} ->
            gen_tcp:close(Socket)
    end.

%% Answers each complete request in Buffer; returns the partial one left.
answer(Socket, Buffer) ->
    case binary:match(Buffer, <<"\r\n\r\n">>) of
        {At, 4} ->
            case gen_tcp:send(Socket, ?RESPONSE) of
                ok -> answer(Socket, binary:part(Buffer, At + 4, byte_size(Buffer) - At - 4));
                {error, _} -> <<>>  % the peer is gone: the next recv fails and closes
            end;
        nomatch ->
            Buffer
    end.
