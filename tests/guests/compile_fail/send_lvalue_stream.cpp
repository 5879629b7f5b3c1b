// Must not compile: sending a stream as an lvalue would empty an object the caller still names.
#include "lunatic/lunatic.hpp"

void f(lunatic::Process p, lunatic::TcpStream& stream) { (void)p.send(stream); }
