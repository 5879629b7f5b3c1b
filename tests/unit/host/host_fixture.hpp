// Shared by the host-namespace tests: a module compiled from WAT, and a runtime with the
// standard host functions to spawn it in.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "binding/linker.hpp"
#include "engine/compiled_module.hpp"
#include "engine/module_file.hpp"
#include "engine/trap.hpp"
#include "engine/value.hpp"
#include "host/standard/standard.hpp"
#include "host/wasi/wasi.hpp"
#include "runtime/environment.hpp"
#include "runtime/ids.hpp"
#include "runtime/introspection.hpp"
#include "runtime/message.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"
#include "text/text.hpp"

namespace lunatic {

// The tests drive the layers' own types (processes, resources, the runtime's internals), not
// the public API of include/lunatic (which they never include): short names for the ones they
// use, as the public header once gave them.
using binding::AllowList;
using binding::CallContext;
using binding::GuestString;
using binding::HostResult;
using binding::Linker;
using engine::compile;
using engine::CompiledModule;
using engine::Trap;
using engine::TrapKind;
using engine::Value;
using host::standard_linker;
using host::wasi::process_wasi;
using host::wasi::WasiContext;
using runtime::CrashInfo;
using runtime::Environment;
using runtime::EnvironmentConfig;
using runtime::EnvironmentInfo;
using runtime::ExitStatus;
using runtime::Message;
using runtime::MessageKind;
using runtime::NodeInfo;
using runtime::Process;
using runtime::ProcessId;
using runtime::ProcessInfo;
using runtime::ProcessState;
using runtime::Runtime;
using runtime::RuntimeConfig;
using runtime::SpawnOptions;
using runtime::Tag;

}  // namespace lunatic

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
