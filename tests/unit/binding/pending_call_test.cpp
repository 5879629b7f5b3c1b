// Waiting host calls: try, else register a wake-up and Park; the call is re-executed on wake-up
// and finds the state of its first attempt (an absolute deadline, progress so far) in the
// process's pending-call slot, which is dropped when the call completes.
#include <algorithm>
#include <string>

#include "binding_fixture.hpp"

namespace lunatic::binding::test {
namespace {

using engine::HostStatus;
using engine::Slot;

struct Deadline {
  int64_t at_ms;
};

/// A fake "sleep_until"-style call: sleeps `ms` from the time of its first attempt.
HostResult<int32_t> sleep_ms(CallContext& ctx, int64_t ms) {
  FakeProcess& p = ctx.host<FakeProcess>();
  ++p.calls;
  // Computed once, on the first attempt; a re-execution gets the same deadline even though
  // the clock has moved, so spurious wake-ups never extend the sleep.
  const Deadline& d = ctx.pending<Deadline>(Deadline{p.now_ms + ms});
  if (p.now_ms >= d.at_ms) return 0;
  p.timers.push_back(d.at_ms);  // the wake-up
  return HostResult<int32_t>::park();
}

/// A fake stream write that accepts at most 3 bytes per attempt: progress survives the Park.
struct Progress {
  uint32_t written = 0;
};
HostResult<uint32_t> write_all(CallContext& ctx, GuestSpan<uint8_t> data) {
  FakeProcess& p = ctx.host<FakeProcess>();
  Progress& progress = ctx.pending<Progress>();
  progress.written = std::min(data.size(), progress.written + 3);
  ++p.calls;
  if (progress.written < data.size()) return HostResult<uint32_t>::park();
  return progress.written;
}

class Pending : public BindingTest {
 protected:
  void SetUp() override {
    ns_.define("sleep", &sleep_ms).define("write_all", &write_all);
    ns_.define("resumed", [](CallContext& ctx) -> int32_t { return ctx.resumed(); });
  }
  PendingCall& slot() { return process_.pending_call(); }
};

TEST_F(Pending, SleepParksUntilTheDeadlineOfTheFirstAttempt) {
  process_.now_ms = 1000;
  Outcome r = call("sleep", {Slot{100}});
  EXPECT_EQ(r.status, HostStatus::Park);
  EXPECT_TRUE(slot().active());
  // Spurious wake-ups: re-executed with the same arguments, parks again on the same deadline.
  for (int64_t now : {1010, 1050, 1099}) {
    process_.now_ms = now;
    r = call("sleep", {Slot{100}});
    EXPECT_EQ(r.status, HostStatus::Park) << now;
  }
  EXPECT_EQ(process_.timers, (std::vector<int64_t>{1100, 1100, 1100, 1100}));
  process_.now_ms = 1100;
  r = call("sleep", {Slot{100}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{0});
  EXPECT_EQ(process_.calls, 5);
  EXPECT_FALSE(slot().active());  // completed: state dropped
  EXPECT_FALSE(slot().has_state());

  // A new call starts fresh: its deadline counts from now.
  r = call("sleep", {Slot{100}});
  EXPECT_EQ(r.status, HostStatus::Park);
  EXPECT_EQ(process_.timers.back(), 1200);
}

TEST_F(Pending, ProgressSurvivesParks) {
  const char text[] = "0123456789";
  poke(64, text, 10);
  int parks = 0;
  Outcome r;
  while ((r = call("write_all", {Slot{64}, Slot{10}})).status == HostStatus::Park) {
    ASSERT_LT(++parks, 10);
  }
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(parks, 3);  // 3 + 3 + 3 + 1 bytes
  EXPECT_EQ(r.results[0], Slot{10});
  EXPECT_FALSE(slot().active());
}

TEST_F(Pending, ResumedTellsReExecutionFromFirstAttempt) {
  // Parks on its first attempt, returns whether it was resumed on the next.
  ns_.define("park_once", [](CallContext& ctx) -> HostResult<int32_t> {
    if (!ctx.resumed()) return HostResult<int32_t>::park();
    return 1;
  });
  EXPECT_EQ(call("resumed", {}).results[0], Slot{0});
  EXPECT_EQ(call("park_once", {}).status, HostStatus::Park);
  Outcome r = call("park_once", {});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{1});
  EXPECT_EQ(call("park_once", {}).status, HostStatus::Park);  // a new call: first attempt again
  // Another function after a park is not a re-execution and inherits nothing.
  EXPECT_EQ(call("resumed", {}).results[0], Slot{0});
  EXPECT_FALSE(slot().active());
}

TEST_F(Pending, StateOfAnotherFunctionIsNeverSeen) {
  process_.now_ms = 0;
  ASSERT_EQ(call("sleep", {Slot{50}}).status, HostStatus::Park);
  // Not a re-execution of sleep (as after an unwound, killed call): write_all starts at 0.
  poke(0, "ab", 2);
  Outcome r = call("write_all", {Slot{0}, Slot{2}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{2});
  // And sleep, called again, computes a new deadline.
  process_.now_ms = 10;
  ASSERT_EQ(call("sleep", {Slot{50}}).status, HostStatus::Park);
  EXPECT_EQ(process_.timers.back(), 60);
}

TEST_F(Pending, TrapAndArgumentErrorsDropTheState) {
  ns_.define("park_then_trap", [](CallContext& ctx) -> HostResult<void> {
    int& attempts = ctx.pending<int>(0);
    if (++attempts < 2) return HostResult<void>::park();
    return engine::Trap::host("gave up");
  });
  EXPECT_EQ(call("park_then_trap", {}).status, HostStatus::Park);
  EXPECT_TRUE(slot().has_state());
  EXPECT_EQ(call("park_then_trap", {}).status, HostStatus::Trap);
  EXPECT_FALSE(slot().active());

  // A parked write_all re-executed with a now-bad span traps before its body; state dropped.
  poke(0, "0123456789", 10);
  EXPECT_EQ(call("write_all", {Slot{0}, Slot{10}}).status, HostStatus::Park);
  Outcome r = call("write_all", {memory_size(), Slot{10}});
  EXPECT_EQ(r.status, HostStatus::Trap);
  EXPECT_FALSE(slot().active());
}

TEST_F(Pending, ParkWithStateNeedsAHostContext) {
  ns_.define("stateless_wait", []() -> HostResult<void> { return HostResult<void>::park(); });
  ns_.define("stateful_wait", [](CallContext& ctx) -> HostResult<void> {
    ctx.pending<Deadline>(Deadline{1});
    return HostResult<void>::park();
  });
  // Without a process, a park that keeps no state is still a plain Park...
  EXPECT_EQ(call_with("stateless_wait", {}, memory_, nullptr).status, HostStatus::Park);
  // ...but state would be lost, so that is a trap naming the function.
  Outcome r = call_with("stateful_wait", {}, memory_, nullptr);
  EXPECT_EQ(r.status, HostStatus::Trap);
  EXPECT_EQ(r.trap.message,
            "host function test::stateful_wait parked with pending state, but no host context "
            "is attached to keep it (binding::attach)");
}

TEST_F(Pending, ThenYieldReturnsTheValueAndAsksForAYield) {
  ns_.define("yield_value", [](CallContext& ctx) -> HostResult<int32_t> {
    ctx.pending<Deadline>(Deadline{1});  // state of a finished call is dropped as for a return
    return HostResult<int32_t>::then_yield(5);
  });
  ns_.define("yield_void", []() -> HostResult<void> { return HostResult<void>::then_yield(); });
  Outcome r = call("yield_value", {});
  EXPECT_EQ(r.status, HostStatus::Yield);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0], 5u);
  EXPECT_FALSE(slot().active());
  EXPECT_EQ(call("yield_void", {}).status, HostStatus::Yield);
  // No wake-up and no state are involved: it works without a host context too.
  EXPECT_EQ(call_with("yield_void", {}, memory_, nullptr).status, HostStatus::Yield);
  // A plain value does not yield.
  EXPECT_EQ(call("resumed", {}).status, HostStatus::Return);
}

TEST(PendingCallSlot, TypedStateAndOwnership) {
  PendingCall slot;
  int owner_a = 0, owner_b = 0;
  slot.claim(&owner_a);
  EXPECT_EQ(slot.get_or_emplace<Deadline>(Deadline{7}).at_ms, 7);
  EXPECT_EQ(slot.get_or_emplace<Deadline>(Deadline{9}).at_ms, 7);  // kept
  // Another type replaces the state rather than reinterpreting it.
  EXPECT_EQ(slot.get_or_emplace<Progress>().written, 0u);
  EXPECT_EQ(slot.get_or_emplace<Deadline>(Deadline{9}).at_ms, 9);
  slot.claim(&owner_a);
  EXPECT_TRUE(slot.has_state());
  slot.claim(&owner_b);  // another call: the old state is dropped
  EXPECT_FALSE(slot.has_state());
  EXPECT_EQ(slot.owner(), &owner_b);
  slot.clear();
  EXPECT_FALSE(slot.active());
  // Constructor arguments convert as in a direct initialisation (no narrowing error).
  slot.claim(&owner_a);
  EXPECT_EQ(slot.get_or_emplace<int64_t>(uint64_t{5}), 5);
  EXPECT_EQ(slot.get_or_emplace<std::string>(3u, 'x'), "xxx");
}

}  // namespace
}  // namespace lunatic::binding::test
