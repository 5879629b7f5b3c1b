// Must not compile: std::move of a const pair holding a socket cannot give the socket up.
#include <utility>

#include "lunatic/lunatic.hpp"

void f(lunatic::Process p, const std::pair<int, lunatic::UdpSocket>& job) {
  (void)p.send(std::move(job));
}
