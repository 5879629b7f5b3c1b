// GuestPtr / GuestSpan / GuestMutSpan / GuestString: every range is checked before the body
// runs (end of memory, one past, huge lengths, address + length overflow), strings are UTF-8
// checked, and views read the memory's current data even after it grows.
#include <string>

#include "binding/guest_memory.hpp"
#include "binding_fixture.hpp"

namespace lunatic::binding::test {
namespace {

using engine::HostStatus;
using engine::Slot;
using engine::TrapKind;

struct Record {
  uint32_t id;
  uint64_t value;  // unaligned inside the record: 4 bytes in
} __attribute__((packed));
static_assert(sizeof(Record) == 12);

class GuestMemory : public BindingTest {
 protected:
  int body_runs_ = 0;

  void SetUp() override {
    ns_.define("ptr", [this](GuestPtr<uint64_t> p) -> uint64_t {
      ++body_runs_;
      return p.read();
    });
    ns_.define("span", [this](GuestSpan<uint32_t> s) -> uint32_t {
      ++body_runs_;
      uint32_t sum = 0;
      for (uint32_t i = 0; i < s.size(); ++i) sum += s[i];
      return sum;
    });
    ns_.define("str", [this](GuestString s) -> uint32_t {
      ++body_runs_;
      last_string_ = std::string(s.view());
      return s.size();
    });
  }
  std::string last_string_;

  /// Expects an out-of-bounds trap and that the body did not run.
  void expect_oob(const Outcome& r, const std::string& message) {
    EXPECT_EQ(r.status, HostStatus::Trap);
    EXPECT_EQ(r.trap.kind, TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(r.trap.message, message);
    EXPECT_EQ(body_runs_, 0);
  }
};

TEST_F(GuestMemory, PtrReadsAtTheLastValidAddress) {
  const uint64_t v = 0x1122334455667788ull;
  poke(uint32_t(memory_size() - 8), &v, 8);
  Outcome r = call("ptr", {memory_size() - 8});
  ASSERT_EQ(r.status, HostStatus::Return) << r.trap.message;
  EXPECT_EQ(r.results[0], v);
}

TEST_F(GuestMemory, PtrOnePastTraps) {
  expect_oob(call("ptr", {memory_size() - 7}),
             "out of bounds memory access in host function test::ptr: argument 1 "
             "(1 x 8 bytes at 0xfff9) outside memory of 65536 bytes");
  expect_oob(call("ptr", {0xffffffffu}),  // address + size overflows 32 bits
             "out of bounds memory access in host function test::ptr: argument 1 "
             "(1 x 8 bytes at 0xffffffff) outside memory of 65536 bytes");
}

TEST_F(GuestMemory, PtrIsUnalignedSafeAndWrites) {
  ns_.define("rec", [](GuestPtr<Record> p) -> uint64_t {
    Record r = p.read();
    r.value += 1;
    p.write(r);
    return r.id;
  });
  Record in{7, 41};
  poke(3, &in, sizeof in);  // odd address
  Outcome r = call("rec", {Slot{3}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{7});
  Record out;
  std::memcpy(&out, memory_->data() + 3, sizeof out);
  EXPECT_EQ(out.value, 42u);
}

TEST_F(GuestMemory, SpanAtTheEndAndEmptySpans) {
  const uint32_t vals[2] = {40, 2};
  poke(uint32_t(memory_size() - 8), vals, 8);
  Outcome r = call("span", {memory_size() - 8, Slot{2}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{42});
  // Zero elements exactly at the end are fine (as memory.fill with n = 0); one past is not.
  EXPECT_EQ(call("span", {memory_size(), Slot{0}}).status, HostStatus::Return);
  EXPECT_EQ(body_runs_, 2);
  body_runs_ = 0;
  expect_oob(call("span", {memory_size() + 1, Slot{0}}),
             "out of bounds memory access in host function test::span: argument 1 "
             "(0 x 4 bytes at 0x10001) outside memory of 65536 bytes");
}

TEST_F(GuestMemory, SpanOnePastAndHugeLengths) {
  expect_oob(call("span", {memory_size() - 8, Slot{3}}),
             "out of bounds memory access in host function test::span: argument 1 "
             "(3 x 4 bytes at 0xfff8) outside memory of 65536 bytes");
  // 0xffffffff elements of 4 bytes: the byte count needs 34 bits; computed in 64 bits.
  expect_oob(call("span", {Slot{0}, Slot{0xffffffffu}}),
             "out of bounds memory access in host function test::span: argument 1 "
             "(4294967295 x 4 bytes at 0x0) outside memory of 65536 bytes");
  // address + length wraps around 2^32 onto a small number: still out of bounds.
  expect_oob(call("span", {Slot{0xfffffff0u}, Slot{0x8}}),
             "out of bounds memory access in host function test::span: argument 1 "
             "(8 x 4 bytes at 0xfffffff0) outside memory of 65536 bytes");
  // One element past the end with the length in elements, not bytes: 16384 x 4 fits, 16385 not.
  EXPECT_EQ(call("span", {Slot{0}, Slot{16384}}).status, HostStatus::Return);
  body_runs_ = 0;
  expect_oob(call("span", {Slot{0}, Slot{16385}}),
             "out of bounds memory access in host function test::span: argument 1 "
             "(16385 x 4 bytes at 0x0) outside memory of 65536 bytes");
}

TEST_F(GuestMemory, OverflowSafeCheck) {
  EXPECT_TRUE(in_bounds(memory_, 0, 65536, 1));
  EXPECT_FALSE(in_bounds(memory_, 0, 65537, 1));
  EXPECT_FALSE(in_bounds(memory_, 1, UINT64_MAX, 1));
  EXPECT_FALSE(in_bounds(memory_, 0, uint64_t{1} << 62, 8));  // product overflows 64 bits
  EXPECT_FALSE(in_bounds(memory_, UINT64_MAX, 1, 1));
  EXPECT_TRUE(in_bounds(memory_, 65536, 0, 8));
  EXPECT_FALSE(in_bounds(nullptr, 0, 0, 1));
}

TEST_F(GuestMemory, MutSpanWritesThroughUnalignedElements) {
  ns_.define("fill", [](GuestMutSpan<uint64_t> out, uint64_t v) {
    for (uint32_t i = 0; i < out.size(); ++i) out.write(i, v + i);
  });
  Outcome r = call("fill", {Slot{5}, Slot{3}, Slot{100}});
  ASSERT_EQ(r.status, HostStatus::Return);
  uint64_t got[3];
  std::memcpy(got, memory_->data() + 5, sizeof got);
  EXPECT_EQ(got[0], 100u);
  EXPECT_EQ(got[2], 102u);
}

TEST_F(GuestMemory, StringsAreBoundsAndUtf8Checked) {
  const char text[] = "héllo";  // 6 bytes of UTF-8
  poke(100, text, 6);
  Outcome r = call("str", {Slot{100}, Slot{6}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(last_string_, "héllo");
  EXPECT_EQ(call("str", {memory_size(), Slot{0}}).status, HostStatus::Return);
  EXPECT_EQ(last_string_, "");

  body_runs_ = 0;
  // Cut inside the two-byte é: not UTF-8.
  r = call("str", {Slot{100}, Slot{2}});
  EXPECT_EQ(r.status, HostStatus::Trap);
  EXPECT_EQ(r.trap.kind, TrapKind::Host);
  EXPECT_EQ(r.trap.message,
            "invalid UTF-8 string argument in host function test::str: argument 1 "
            "(2 bytes at 0x64)");
  const uint8_t bad[] = {'a', 0xed, 0xa0, 0x80};  // a UTF-16 surrogate encoded in UTF-8
  poke(200, bad, sizeof bad);
  EXPECT_EQ(call("str", {Slot{200}, Slot{4}}).status, HostStatus::Trap);
  const uint8_t overlong[] = {0xc0, 0xaf};
  poke(210, overlong, 2);
  EXPECT_EQ(call("str", {Slot{210}, Slot{2}}).status, HostStatus::Trap);
  EXPECT_EQ(body_runs_, 0);

  expect_oob(call("str", {memory_size() - 1, Slot{2}}),
             "out of bounds memory access in host function test::str: argument 1 "
             "(2 bytes at 0xffff) outside memory of 65536 bytes");
}

TEST_F(GuestMemory, SecondArgumentIsNamedAndFirstBadOneWins) {
  ns_.define("two", [this](GuestPtr<uint32_t>, GuestString) { ++body_runs_; });
  Outcome r = call("two", {Slot{0}, memory_size(), Slot{1}});
  expect_oob(r,
             "out of bounds memory access in host function test::two: argument 2 "
             "(1 bytes at 0x10000) outside memory of 65536 bytes");
  r = call("two", {memory_size(), memory_size(), Slot{1}});
  EXPECT_NE(r.trap.message.find("argument 1"), std::string::npos);
}

TEST_F(GuestMemory, MissingMemoryTraps) {
  Outcome r = call_with("ptr", {Slot{0}}, nullptr, &process_);
  expect_oob(r,
             "out of bounds memory access in host function test::ptr: argument 1, but the "
             "caller has no memory");
  // Functions without memory views do not need a memory.
  ns_.define("id", [](int32_t v) -> int32_t { return v; });
  EXPECT_EQ(call_with("id", {Slot{1}}, nullptr, &process_).status, HostStatus::Return);
}

TEST_F(GuestMemory, ViewsFollowTheMemoryWhenItGrows) {
  // The body grows memory (as a host call that allocates in the guest could) and then uses
  // views taken before: they re-read data() and see the moved memory.
  ns_.define("grow_then_write", [](CallContext& ctx, GuestMutSpan<uint8_t> out) -> int32_t {
    const int32_t old = ctx.memory()->grow(3);
    for (uint32_t i = 0; i < out.size(); ++i) out.write(i, uint8_t('a' + i));
    return old;
  });
  Outcome r = call("grow_then_write", {Slot{10}, Slot{3}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{1});
  EXPECT_EQ(memory_->pages(), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(memory_->data()) + 10, 3), "abc");
  // A range that was out of bounds before the grow is checked against the new size.
  uint64_t v = 99;
  poke(70000, &v, 8);
  EXPECT_EQ(call("ptr", {Slot{70000}}).results[0], Slot{99});
}

TEST_F(GuestMemory, CheckedFactoriesForAddressesFoundInMemory) {
  // An iovec-like array: the host checks each inner (address, length) itself.
  ns_.define("gather", [](CallContext& ctx, GuestSpan<uint64_t> iovs) -> HostResult<uint32_t> {
    uint32_t total = 0;
    for (uint32_t i = 0; i < iovs.size(); ++i) {
      uint64_t iov = iovs[i];
      auto buf = GuestSpan<uint8_t>::at(ctx, uint32_t(iov), uint32_t(iov >> 32),
                                        "iovec " + std::to_string(i));
      if (!buf.ok()) return std::move(buf).trap();
      total += buf.value().size();
    }
    return total;
  });
  const uint64_t iovs[2] = {(uint64_t{5} << 32) | 100, (uint64_t{2} << 32) | 0xffff};
  poke(0, iovs, sizeof iovs);
  Outcome r = call("gather", {Slot{0}, Slot{2}});
  EXPECT_EQ(r.status, HostStatus::Trap);
  EXPECT_EQ(r.trap.message,
            "out of bounds memory access in host function test::gather: iovec 1 "
            "(2 bytes at 0xffff) outside memory of 65536 bytes");
  const uint64_t good = (uint64_t{1} << 32) | 0xffff;
  poke(8, &good, 8);
  r = call("gather", {Slot{0}, Slot{2}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{6});
}

TEST_F(GuestMemory, GuestStringFactoryChecksUtf8) {
  const uint8_t bad[] = {0xff};
  poke(0, bad, 1);
  const FunctionInfo info{"test::manual"};
  CallContext ctx(info, memory_, nullptr);
  HostResult<GuestString> s = GuestString::at(ctx, 0, 1, "name");
  ASSERT_TRUE(s.is_trap());
  EXPECT_EQ(s.trap().message,
            "invalid UTF-8 string argument in host function test::manual: name (1 bytes at 0x0)");
  EXPECT_TRUE(GuestString::at(ctx, 1, 3).ok());
  EXPECT_TRUE(GuestPtr<uint32_t>::at(ctx, 65533).is_trap());
}

}  // namespace
}  // namespace lunatic::binding::test
