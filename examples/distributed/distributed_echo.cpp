// distributed_echo: registers itself as `echo` and answers each Erlang term {From, Term}
// (From a pid) by sending Term to From. Run it as a node and ask it from Erlang:
//   lunatic run --name a@127.0.0.1 --cookie lunatic distributed_echo.wasm
//   erl -name t@127.0.0.1 -setcookie lunatic -noshell -eval "{echo, 'a@127.0.0.1'} !
//     {self(), <<\"hello\">>}, receive R -> io:format(\"~p~n\", [R]) end, halt()."
// (one line; the quotes around the node name are Erlang's: an atom cannot hold dots unquoted)
#include <lunatic/registry.h>
#include <lunatic/distributed.hpp>

#include <cstdio>
#include <string>

int main() {
  const std::optional<std::string> node = lunatic::node_name();
  if (!node) {
    std::fprintf(stderr, "distributed_echo: run it as a node (lunatic run --name NAME@HOST)\n");
    return 2;
  }
  const std::string name = "echo";
  lunatic_registry_put(name.data(), name.size(), lunatic_process_id());
  std::printf("echo is ready on %s\n", node->c_str());
  std::fflush(stdout);
  for (;;) {
    lunatic::Result<lunatic::ReceivedTerm> received = lunatic::receive_term();
    if (!received) continue;  // a term Term cannot hold: ignored
    const lunatic::Term& request = received->term;
    const bool shaped = request.is(lunatic::Term::Kind::tuple) && request.elements().size() == 2 &&
                        request.elements()[0].is(lunatic::Term::Kind::pid);
    if (!shaped) continue;  // not {From, Term}
    lunatic::Result<lunatic::RemoteProcess> from =
        lunatic::RemoteProcess::from_pid(request.elements()[0].as_pid());
    if (from) (void)from->send(request.elements()[1]);
  }
}
