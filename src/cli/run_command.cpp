// `lunatic run` and `lunatic validate`: read the file, compile, spawn it as the root process of
// a runtime (WASI with --dir preopens, and the lunatic::* namespaces), wait for the root to
// end, and turn its exit status into an exit code.
#include "cli/run_command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "binding/linker.hpp"
#include "engine/compiled_module.hpp"
#include "host/error/error.hpp"
#include "host/message/message.hpp"
#include "host/networking/networking.hpp"
#include "host/process/process.hpp"
#include "host/registry/registry.hpp"
#include "host/timer/timer.hpp"
#include "host/version/version.hpp"
#include "host/wasi/wasi.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::cli {
namespace {

/// Larger files are refused before reading them into memory.
constexpr uint64_t kMaxModuleBytes = uint64_t{1} << 30;

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Error(Phase::Host, std::string("cannot open: ") + std::strerror(errno));
  std::streamoff size = in.tellg();
  if (size < 0) return Error(Phase::Host, "cannot read the file size");
  if (static_cast<uint64_t>(size) > kMaxModuleBytes) {
    return Error(Phase::Host, "file larger than 1 GiB");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    return Error(Phase::Host, "read failed");
  }
  return bytes;
}

Result<std::shared_ptr<const engine::CompiledModule>> load(const std::string& file) {
  std::vector<uint8_t> bytes = TRY(read_file(file));
  return engine::compile(bytes);
}

int fail(const std::string& file, const Error& error, int code = kExitLoadError) {
  std::fprintf(stderr, "error: %s: %s\n", file.c_str(), error.to_string().c_str());
  return code;
}

/// Prints "error: trap: <message>" and the Wasm backtrace, innermost frame first.
void print_trap(const engine::Trap& trap, const wasm::Module& module) {
  std::fprintf(stderr, "error: trap: %s\n", trap.message.c_str());
  if (trap.backtrace.empty()) return;
  std::fprintf(stderr, "wasm backtrace:\n");
  for (size_t i = 0; i < trap.backtrace.size(); ++i) {
    const engine::BacktraceFrame& frame = trap.backtrace[i];
    std::string name = frame.function_name;
    if (name.empty() && frame.function_index < module.total_functions()) {
      name = module.function_name(frame.function_index);
    }
    std::fprintf(stderr, "  %2zu: 0x%06x - func[%u] %s\n", i, frame.offset, frame.function_index,
                 name.empty() ? "<unnamed>" : name.c_str());
  }
}

/// Every host namespace a process may import (filtered by its environment).
std::shared_ptr<const binding::Linker> make_linker() {
  auto linker = std::make_shared<binding::Linker>();
  host::wasi::define_functions(*linker);
  host::process::define_functions(*linker);
  host::message::define_functions(*linker);
  host::error::define_functions(*linker);
  host::timer::define_functions(*linker);
  host::networking::define_functions(*linker);
  host::registry::define_functions(*linker);
  host::version::define_functions(*linker);
  return linker;
}

/// The root's exit status as the exit code of `lunatic`.
int exit_code_of(const runtime::ExitStatus& status, const wasm::Module& module) {
  if (!status.trap) return 0;  // the entry returned
  const engine::Trap& trap = *status.trap;
  if (trap.kind == engine::TrapKind::Exit) {
    // Like a native program: only the low 8 bits of the status reach the parent.
    return static_cast<int>(static_cast<uint32_t>(trap.exit_code) & 0xff);
  }
  if (status.kind == runtime::ExitStatus::Kind::Killed) {
    std::fprintf(stderr, "error: %s\n", status.to_string().c_str());
    return kExitTrap;
  }
  print_trap(trap, module);
  return kExitTrap;
}

}  // namespace

int run_module(const RunOptions& options) {
  const std::string& file = options.file;
  // Check the --dir options before anything runs; the root opens them again in `prepare`.
  std::vector<std::pair<std::string, std::string>> dirs;
  {
    host::wasi::WasiContext probe;
    for (const std::string& dir : options.dirs) {
      Result<std::pair<std::string, std::string>> parsed = host::wasi::parse_dir_option(dir);
      if (!parsed) {
        std::fprintf(stderr, "error: %s\n", parsed.error().message.c_str());
        return kExitUsage;
      }
      if (Result<uint32_t> fd = probe.preopen(parsed->first, parsed->second); !fd) {
        std::fprintf(stderr, "error: --dir %s: %s\n", dir.c_str(), fd.error().message.c_str());
        return kExitUsage;
      }
      dirs.push_back(std::move(*parsed));
    }
  }
  Result<std::shared_ptr<const engine::CompiledModule>> module = load(file);
  if (!module) return fail(file, module.error());
  const wasm::Module& wasm = (*module)->wasm;

  runtime::EnvironmentConfig config;
  if (options.max_memory_bytes) {
    uint64_t pages = *options.max_memory_bytes / wasm::kPageSize;
    config.max_memory_pages = static_cast<uint32_t>(std::min<uint64_t>(pages, wasm::kMaxPages));
  }
  config.max_fuel = options.max_fuel;
  runtime::RuntimeConfig runtime_config;
  runtime_config.workers = options.threads;
  runtime_config.linker = make_linker();
  runtime::Runtime rt(std::move(runtime_config));

  runtime::SpawnOptions root;
  root.module = *module;
  root.environment = runtime::Environment::create(std::move(config));
  root.entry = "_start";
  // The root's WASI state: argv, the environment, stdio and the preopened directories
  // (fds 3, 4, ... in --dir order). Spawned processes get stdio only.
  auto prepare = [&](runtime::Process& process) {
    host::wasi::WasiContext& wasi = host::wasi::process_wasi(process);
    wasi.args.push_back(file);
    wasi.args.insert(wasi.args.end(), options.guest_args.begin(), options.guest_args.end());
    wasi.env = options.env;
    for (const auto& [host_path, guest_name] : dirs) (void)wasi.preopen(host_path, guest_name);
  };
  Result<runtime::ProcessId> id = rt.spawn_root(std::move(root), prepare);
  if (!id) {
    const std::string& message = id.error().message;
    if (message.find("exports no function named '_start'") != std::string::npos) {
      return fail(file, Error(Phase::Link, "no `_start` function exported (not a WASI command)"));
    }
    return fail(file, id.error());
  }
  return exit_code_of(rt.wait(), wasm);
}

int validate_module(const std::string& file) {
  Result<std::shared_ptr<const engine::CompiledModule>> module = load(file);
  if (!module) return fail(file, module.error());
  std::printf("%s: valid\n", file.c_str());
  return 0;
}

}  // namespace lunatic::cli
