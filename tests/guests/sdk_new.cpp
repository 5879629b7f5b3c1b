// The C++ SDK's operator new under --max-memory: the throwing forms abort with a message on
// stderr (never return NULL, which a growing std::string would write through), the nothrow
// forms and malloc return NULL. argv[1] picks the case:
//   string   grows a std::string by doubling until memory runs out (must abort)
//   vector   grows a std::vector<int> by push_back (must abort)
//   array    new char[64 MiB] (must abort)
//   aligned  new of a 64-byte-aligned type, 64 MiB of them (must abort)
//   nothrow  new (std::nothrow) of each form and malloc of 64 MiB return NULL: prints
//            "ok nothrow", exits 0
//   small    a few small allocations succeed: prints "ok small"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "lunatic/result.hpp"

namespace {

struct alignas(64) Line {
  char bytes[64];
};

// The pointers escape through these, so the compiler cannot elide an allocation.
void* volatile keep;
volatile size_t sink;

constexpr size_t kBig = size_t{64} << 20;

int fail(const char* what) {
  std::printf("%s returned; it should have aborted\n", what);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "string") {
    std::string s(1024, 'x');
    for (;;) {
      s += s;  // doubles: past the limit operator new must abort, not hand back address 0
      sink = s.size();
      std::printf("string of %zu bytes\n", s.size());
      if (s.size() > kBig) return fail("string growth");
    }
  }
  if (mode == "vector") {
    std::vector<int> v;
    for (size_t i = 0;; ++i) {
      v.push_back(static_cast<int>(i));
      if (v.size() > kBig) return fail("vector growth");
    }
  }
  if (mode == "array") {
    char* p = new char[kBig];
    keep = p;
    std::memset(p, 1, kBig);
    return fail("new char[64 MiB]");
  }
  if (mode == "aligned") {
    Line* p = new Line[kBig / sizeof(Line)];
    keep = p;
    return fail("new Line[...] (aligned)");
  }
  if (mode == "nothrow") {
    int failures = 0;
    auto expect_null = [&](const char* what, void* p) {
      keep = p;
      if (p != nullptr) {
        std::printf("%s did not return NULL\n", what);
        ++failures;
      }
    };
    expect_null("new (std::nothrow) char[]", new (std::nothrow) char[kBig]);
    expect_null("new (std::nothrow) Line[]", new (std::nothrow) Line[kBig / sizeof(Line)]);
    expect_null("operator new(size, nothrow)", ::operator new(kBig, std::nothrow));
    expect_null("operator new(size, align, nothrow)",
                ::operator new (kBig, std::align_val_t{64}, std::nothrow));
    expect_null("malloc", std::malloc(kBig));
    if (failures != 0) return 1;
    std::printf("ok nothrow\n");
    return 0;
  }
  if (mode == "small") {
    std::string s(1000, 'y');
    std::vector<Line> lines(100);
    auto* one = new Line;
    const bool aligned = reinterpret_cast<uintptr_t>(one) % 64 == 0 &&
                         reinterpret_cast<uintptr_t>(lines.data()) % 64 == 0;
    delete one;
    if (!aligned) return fail("an aligned new gave a misaligned pointer, and it");
    std::printf("ok small %zu\n", s.size() + lines.size());
    return 0;
  }
  std::printf("usage: sdk_new string|vector|array|aligned|nothrow|small\n");
  return 2;
}
