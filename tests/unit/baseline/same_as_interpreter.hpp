// The baseline's code against the interpreter's on one module: calls of its exports, each run
// without a budget and with the given ones (an out-of-fuel stop at every safepoint kind), whose
// results, traps and fuel must be the interpreter's. Shared by the tests of the emitter's
// register use (local copies, results in register locals, the memory base in rcx).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../tiering/tier_fixture.hpp"

namespace lunatic::tiering::testing {

struct Call {
  const char* fn;
  std::vector<Value> args;
};

inline std::vector<Value> i32s(std::initializer_list<int32_t> v) {
  std::vector<Value> out;
  for (int32_t x : v) out.push_back(Value::i32(x));
  return out;
}

inline void expect_same(std::string_view wat, const std::vector<Call>& calls,
                        std::initializer_list<uint64_t> budgets) {
  TierInstance interp(wat, Tier::Interp);
  TierInstance baseline(wat, Tier::Baseline);
  ASSERT_NE(baseline.instance, nullptr);
  std::vector<std::optional<uint64_t>> fuels = {std::nullopt};
  for (uint64_t b : budgets) fuels.emplace_back(b);
  for (const Call& c : calls) {
    for (const std::optional<uint64_t>& fuel : fuels) {
      const Outcome want = run_to_end(interp.thread, interp.fn(c.fn), c.args, fuel);
      const Outcome got = run_to_end(baseline.thread, baseline.fn(c.fn), c.args, fuel);
      std::string args;
      for (const Value& v : c.args) args += " " + std::to_string(v.as_i32());
      EXPECT_EQ(got, want) << c.fn << args << " fuel " << (fuel ? std::to_string(*fuel) : "none");
    }
  }
}

}  // namespace lunatic::tiering::testing
