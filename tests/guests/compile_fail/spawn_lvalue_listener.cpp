// Must not compile: a listener passed to spawn as an lvalue (it moves to the child).
#include "lunatic/lunatic.hpp"

void serve(lunatic::TcpListener) {}
void f(lunatic::TcpListener& listener) { (void)lunatic::Process::spawn(serve, listener); }
