// A user's guest: a child process greets in capitals (C code) and replies to a request.
#include <cstdio>
#include <string>

#include "lunatic/lunatic.hpp"

extern "C" void shout(char* text, size_t size);

namespace {

void greeter(std::string greeting) {
  lunatic::Mailbox<lunatic::Request<std::string>> mailbox;
  auto request = mailbox.receive();
  if (!request.ok()) return;
  std::string text = greeting + ", " + request->value() + "!";
  shout(text.data(), text.size());
  (void)request->reply(text);
}

}  // namespace

int main(int argc, char** argv) {
  auto child = lunatic::Process::spawn(greeter, std::string("hello"));
  if (!child.ok()) return 1;
  auto reply = child->request<std::string>(std::string(argc > 1 ? argv[1] : "world"));
  if (!reply.ok()) return 1;
  std::printf("%s\n", reply->c_str());
  return 0;
}
