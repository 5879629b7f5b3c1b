// Shared by the host-namespace tests: a module compiled from WAT, and a runtime with the
// standard host functions to spawn it in.
#pragma once

#include <gtest/gtest.h>

#include <lunatic/runtime.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "text/text.hpp"

namespace lunatic::test {

/// `wat` parsed and compiled; fails the test (and returns null) on an error.
inline std::shared_ptr<const CompiledModule> compile_wat(std::string_view wat) {
  auto bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  if (!bytes.ok()) return nullptr;
  auto compiled = compile(*bytes);
  EXPECT_TRUE(compiled.ok()) << compiled.error().to_string();
  return compiled.ok() ? *compiled : nullptr;
}

/// Spawns `entry`(args) of `module` in `environment`, joinable; its id, or 0 (the test fails).
inline ProcessId spawn_joinable(Runtime& runtime,
                                const std::shared_ptr<const CompiledModule>& module,
                                const std::shared_ptr<Environment>& environment, const char* entry,
                                std::vector<Value> args) {
  auto id = runtime.spawn({.module = module,
                           .environment = environment,
                           .entry = entry,
                           .args = std::move(args),
                           .joinable = true});
  EXPECT_TRUE(id.ok()) << id.error().to_string();
  return id.ok() ? *id : 0;
}

/// spawn_joinable, then waits for the process's end.
inline ExitStatus run_to_end(Runtime& runtime, const std::shared_ptr<const CompiledModule>& module,
                             const std::shared_ptr<Environment>& environment, const char* entry,
                             std::vector<Value> args) {
  ProcessId id = spawn_joinable(runtime, module, environment, entry, std::move(args));
  if (id == 0) return {};
  std::optional<ExitStatus> status = runtime.join(id);
  EXPECT_TRUE(status.has_value());
  return status ? *status : ExitStatus{};
}

}  // namespace lunatic::test
