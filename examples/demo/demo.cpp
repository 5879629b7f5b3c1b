// demo: lunatic's mission in one run. Each act (act_*.cpp) shows one thing: very many
// processes, a supervisor restarting a crashed worker, untrusted code in a sandbox, a TCP
// chat server whose client is killed mid-session.
//   lunatic run --dir build/examples:/sandbox build/examples/demo.wasm [--processes N]
//               [--untrusted /sandbox/untrusted.wasm] [--act N (only that one)]
#include "demo.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lunatic/lunatic.hpp"

namespace demo {
namespace {

const Act* acts_head = nullptr;  // constant-initialised: no constructor runs for it

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--processes") == 0 && i + 1 < argc) {
      options.processes = std::strtol(argv[++i], nullptr, 10);
      if (options.processes < 1) return false;
    } else if (std::strcmp(argv[i], "--act") == 0 && i + 1 < argc) {
      options.only = static_cast<int>(std::strtol(argv[++i], nullptr, 10));
    } else if (std::strcmp(argv[i], "--untrusted") == 0 && i + 1 < argc) {
      options.untrusted = argv[++i];
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Act::Act(int number_, const char* title_, bool (*run_)(const Options&))
    : number(number_), title(title_), run(run_), next(acts_head) {
  acts_head = this;
}

const Act* first_act() { return acts_head; }

void say(const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vprintf(format, args);
  va_end(args);
  std::putchar('\n');
  std::fflush(stdout);
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace demo

int main(int argc, char** argv) {
  demo::Options options;
  if (!demo::parse(argc, argv, options)) {
    std::fprintf(stderr, "usage: demo [--processes N>=1] [--untrusted PATH.wasm] [--act N]\n");
    return 2;
  }
  std::vector<const demo::Act*> acts;
  for (const demo::Act* act = demo::first_act(); act != nullptr; act = act->next) {
    if (options.only == 0 || act->number == options.only) acts.push_back(act);
  }
  for (size_t i = 1; i < acts.size(); ++i) {  // insertion sort by number: a handful of acts
    for (size_t j = i; j > 0 && acts[j - 1]->number > acts[j]->number; --j) {
      std::swap(acts[j - 1], acts[j]);
    }
  }

  demo::say("lunatic demo: Erlang-style processes for WebAssembly.");
  demo::say("This program is one wasm32-wasi module, running as process %llu.",
            static_cast<unsigned long long>(lunatic::Process::self().id()));
  double begin = demo::now_ms();
  int failed = 0;
  for (const demo::Act* act : acts) {
    demo::say("\nAct %d: %s", act->number, act->title);
    if (!act->run(options)) {
      demo::say("   (act %d did not go as expected)", act->number);
      ++failed;
    }
  }
  demo::say("\nThe end: %zu act%s in %.1f s%s.", acts.size(), acts.size() == 1 ? "" : "s",
            (demo::now_ms() - begin) / 1000, failed == 0 ? ", each as told" : "");
  if (failed == 0 && options.only == 0) {
    demo::say("One module, many isolated processes: they crash alone, restart, run untrusted code");
    demo::say("inside limits and serve TCP clients. Next: docs/sdk.md to write your own,");
    demo::say("examples/chat to chat with nc, `lunatic inspect` to look inside a module.");
  }
  return failed == 0 ? 0 : 1;
}
