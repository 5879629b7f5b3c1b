// Must not compile: a request carrying a vector of streams, as an lvalue.
#include <vector>

#include "lunatic/lunatic.hpp"

void f(lunatic::Process p, std::vector<lunatic::TcpStream>& streams) {
  (void)p.request<int>(streams);
}
