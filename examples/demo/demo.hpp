// The mission demo's parts: an act is one file that registers itself with LUNATIC_DEMO_ACT;
// demo.cpp runs the acts in number order. A new act is one more file here (CMake globs
// demo/*.cpp), e.g. act_next.cpp:
//   bool next(const demo::Options&) { demo::say("   ..."); return true; }
//   LUNATIC_DEMO_ACT(5, "what comes next", next);
// (act_chat.cpp also builds on examples/chat/chat_room.cpp, added to the demo in CMake.)
// Acts share the root's mailbox: each uses its own tags (100 * act + n).
#ifndef LUNATIC_DEMO_HPP
#define LUNATIC_DEMO_HPP

#include <cstdarg>
#include <cstdint>
#include <string>

namespace demo {

/// What the command line set (see demo.cpp's usage).
struct Options {
  long processes = 100000;                            ///< act 1: how many processes to spawn
  std::string untrusted = "/sandbox/untrusted.wasm";  ///< act 3: the module to sandbox
  int only = 0;                                       ///< run only this act (0: all)
};

/// One act: `run` tells its story with say() and returns false if something went wrong.
/// Registration links a static Act into a list without allocating (a spawned process runs the
/// module's constructors too, so they must stay cheap).
struct Act {
  Act(int number, const char* title, bool (*run)(const Options&));
  int number;
  const char* title;
  bool (*run)(const Options&);
  const Act* next;
};

/// The registered acts, in no particular order (demo.cpp sorts them).
const Act* first_act();

/// Prints one line of the narrative (printf format; a newline is added) and flushes it, so
/// that it stays in order with what the runtime logs on stderr.
void say(const char* format, ...) __attribute__((format(printf, 1, 2)));

/// Milliseconds on the guest's monotonic clock (WASI clock_time_get).
double now_ms();

/// "100,000": a count with thousands separators.
std::string grouped(uint64_t n);

}  // namespace demo

/// Registers `function` (bool(const demo::Options&)) as act `number` titled `title`.
#define LUNATIC_DEMO_ACT(number, title, function) \
  static const ::demo::Act demo_act_##number(number, title, function)

#endif  // LUNATIC_DEMO_HPP
