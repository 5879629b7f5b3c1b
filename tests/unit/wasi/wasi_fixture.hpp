// The fixture of the WASI function tests: a WasiProcess with stdio and one preopen (fd 3, a
// fresh temporary directory named /sandbox), one page of guest memory, and calls by name.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "host/wasi/abi.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi::test {

namespace fs = std::filesystem;

class WasiFunctions : public ::testing::Test {
 protected:
  void SetUp() override {
    define_functions(linker_);
    char tmpl[] = "/tmp/lunatic_wasi_fn.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    process_.wasi().add_stdio();
    auto fd = process_.wasi().preopen(dir_.string(), "/sandbox");
    ASSERT_TRUE(fd.ok());
    ASSERT_EQ(*fd, 3u);
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct Outcome {
    engine::HostStatus status;
    int32_t result;
    engine::Trap trap;
  };
  Outcome call(std::string_view name, std::initializer_list<engine::Slot> args,
               binding::HostContext* host) {
    const binding::HostDefinition* def = linker_.find(kModuleName, name);
    EXPECT_NE(def, nullptr) << name;
    std::vector<engine::Slot> results(def->type.results.size(), 0xdead);
    binding::CallContext ctx(*def->info, memory_, host);
    std::vector<engine::Slot> a(args);
    Outcome out{};
    out.status = def->invoke(ctx, a, results, out.trap);
    out.result = results.empty() ? 0 : static_cast<int32_t>(results[0]);
    return out;
  }
  int32_t errno_of(std::string_view name, std::initializer_list<engine::Slot> args) {
    Outcome o = call(name, args, &process_);
    EXPECT_EQ(o.status, engine::HostStatus::Return) << name << ": " << o.trap.message;
    return o.result;
  }
  void poke(uint32_t at, const void* p, size_t n) { std::memcpy(memory_->data() + at, p, n); }
  void poke_str(uint32_t at, std::string_view s) { poke(at, s.data(), s.size()); }
  uint32_t peek_u32(uint32_t at) {
    uint32_t v;
    std::memcpy(&v, memory_->data() + at, 4);
    return v;
  }
  /// path_open of `path` below fd 3 with `rights`; returns the errno, the fd at 0x10.
  int32_t open_path(std::string_view path, uint32_t oflags, uint64_t rights) {
    poke_str(0x100, path);
    return errno_of("path_open", {3, 0, 0x100, path.size(), oflags, rights, 0, 0, 0x10});
  }

  binding::Linker linker_;
  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  engine::Memory* memory_ = store_.add_memory(wasm::MemoryType{wasm::Limits{1, 1}}).value();
  WasiProcess process_;
  fs::path dir_;
};

}  // namespace lunatic::host::wasi::test
