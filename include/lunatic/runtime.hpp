// The public embedding API of lunatic's process runtime: a Runtime that runs Wasm processes on
// its worker threads, the standard host functions (WASI and lunatic::*) plus namespaces of your
// own declared with typed C++ functions, environments that limit what processes may use, and
// messages, kills and exit statuses seen from the host.
//
//   auto linker = lunatic::standard_linker();
//   linker->ns("app").define("report", [](lunatic::CallContext& ctx, int32_t n) { ... });
//   lunatic::Runtime runtime({.linker = linker});
//   auto env = lunatic::Environment::create({.max_fuel = 1'000'000});
//   auto id = runtime.spawn_root(*lunatic::compile_file("guest.wasm"), env, "_start");
//   lunatic::ExitStatus status = runtime.wait();
//
// docs/embedding.md walks through it; examples/embedding/host.cpp is a complete program.
#pragma once

#include <lunatic/engine.hpp>

#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "binding/linker.hpp"
#include "host/standard/standard.hpp"
#include "host/wasi/wasi.hpp"
#include "runtime/environment.hpp"
#include "runtime/ids.hpp"
#include "runtime/introspection.hpp"
#include "runtime/message.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic {

// Processes and the runtime that runs them.
using runtime::ExitStatus;
using runtime::PrepareProcess;
using runtime::Process;
using runtime::ProcessId;
using runtime::Runtime;
using runtime::RuntimeConfig;
using runtime::SpawnOptions;
using runtime::Tag;

// Seeing inside a running runtime (Runtime::processes, process_info, environments, node_info,
// crashes; RuntimeConfig::on_crash).
using runtime::CrashInfo;
using runtime::EnvironmentInfo;
using runtime::NodeInfo;
using runtime::process_state_name;
using runtime::ProcessInfo;
using runtime::ProcessState;
using runtime::WorkerInfo;

// What processes may use.
using binding::AllowList;
using runtime::Environment;
using runtime::EnvironmentConfig;

// Messages between the host and processes.
using runtime::Message;
using runtime::MessageKind;

// Host functions: namespaces of typed C++ functions, and their checked views of guest memory.
using binding::CallContext;
using binding::GuestMutSpan;
using binding::GuestPtr;
using binding::GuestSpan;
using binding::GuestString;
using binding::HostResult;
using binding::Linker;
using binding::Namespace;
using host::define_standard_functions;
using host::standard_linker;

// A process's WASI state (arguments, environment variables, preopened directories).
using host::wasi::process_wasi;
using host::wasi::WasiContext;

}  // namespace lunatic
