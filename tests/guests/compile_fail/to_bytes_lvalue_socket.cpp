// Must not compile: to_bytes of an lvalue holding a socket (bytes alone cannot carry it).
#include "lunatic/lunatic.hpp"

void f(lunatic::TcpStream& stream) { (void)lunatic::to_bytes(stream); }
