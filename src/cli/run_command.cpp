// `lunatic run` and `lunatic validate`: read the file, compile, link WASI (with --dir preopens),
// instantiate, run `_start` to its end on this thread, and turn the outcome into an exit code.
#include "cli/run_command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"
#include "binding/linker.hpp"
#include "binding/pending_call.hpp"
#include "host/wasi/wasi.hpp"

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
void print_trap(const engine::Trap& trap, const engine::Instance& instance) {
  std::fprintf(stderr, "error: trap: %s\n", trap.message.c_str());
  if (trap.backtrace.empty()) return;
  std::fprintf(stderr, "wasm backtrace:\n");
  for (size_t i = 0; i < trap.backtrace.size(); ++i) {
    const engine::BacktraceFrame& frame = trap.backtrace[i];
    std::string name = frame.function_name;
    if (name.empty() && frame.function_index < instance.wasm().total_functions()) {
      name = instance.wasm().function_name(frame.function_index);
    }
    std::fprintf(stderr, "  %2zu: 0x%06x - func[%u] %s\n", i, frame.offset, frame.function_index,
                 name.empty() ? "<unnamed>" : name.c_str());
  }
}

/// Calls `fn` (no arguments) and runs it to its end. Returns the exit code, or nullopt when
/// the call returned normally.
std::optional<int> run_to_end(engine::Thread& thread, engine::Function* fn,
                              const engine::Instance& instance, const std::string& file) {
  if (Result<void> begun = thread.begin_call(fn, {}); !begun) return fail(file, begun.error());
  engine::RunStatus status = thread.run();
  while (status == engine::RunStatus::Yielded) status = thread.run();
  switch (status) {
    case engine::RunStatus::Done:
    case engine::RunStatus::Yielded: return std::nullopt;
    case engine::RunStatus::Parked:
      // Nothing can wake a parked process before the scheduler exists.
      return fail(file, Error(Phase::Host,
                              "the guest waits for an event, but no scheduler "
                              "exists yet to wake it"));
    case engine::RunStatus::Trapped: break;
  }
  const engine::Trap& trap = thread.trap();
  if (trap.kind == engine::TrapKind::Exit) {
    // Like a native program: only the low 8 bits of the status reach the parent.
    return static_cast<int>(static_cast<uint32_t>(trap.exit_code) & 0xff);
  }
  print_trap(trap, instance);
  return kExitTrap;
}

}  // namespace

int run_module(const RunOptions& options) {
  const std::string& file = options.file;
  Result<std::shared_ptr<const engine::CompiledModule>> module = load(file);
  if (!module) return fail(file, module.error());

  engine::StoreLimits limits;
  if (options.max_memory_bytes) {
    uint64_t pages = *options.max_memory_bytes / wasm::kPageSize;
    limits.max_memory_pages = static_cast<uint32_t>(std::min<uint64_t>(pages, wasm::kMaxPages));
  }
  engine::MemoryPool pool;
  engine::Store store(pool, limits);

  // The first process: its WASI context holds argv, the environment, stdio and the
  // preopened directories (fds 3, 4, ... in --dir order).
  host::wasi::WasiProcess process;
  host::wasi::WasiContext& wasi = process.wasi();
  wasi.args.push_back(file);
  wasi.args.insert(wasi.args.end(), options.guest_args.begin(), options.guest_args.end());
  wasi.env = options.env;
  wasi.add_stdio();
  for (const std::string& dir : options.dirs) {
    Result<std::pair<std::string, std::string>> parsed = host::wasi::parse_dir_option(dir);
    if (!parsed) {
      std::fprintf(stderr, "error: %s\n", parsed.error().message.c_str());
      return kExitUsage;
    }
    Result<uint32_t> fd = wasi.preopen(parsed->first, parsed->second);
    if (!fd) {
      std::fprintf(stderr, "error: --dir %s: %s\n", dir.c_str(), fd.error().message.c_str());
      return kExitUsage;
    }
  }

  binding::Linker linker;
  host::wasi::define_functions(linker);
  Result<std::vector<engine::Extern>> imports =
      linker.resolve(store, (*module)->wasm, binding::AllowList::all());
  if (!imports) return fail(file, imports.error());
  Result<engine::Instance*> instance = store.instantiate(*module, *imports);
  if (!instance) return fail(file, instance.error());

  engine::Thread thread(store);
  binding::attach(thread, process);
  thread.set_fuel(options.max_fuel);
  if (engine::Function* start = (*instance)->start_function()) {
    if (std::optional<int> code = run_to_end(thread, start, **instance, file)) return *code;
  }
  std::optional<engine::Extern> entry = (*instance)->find_export("_start");
  if (!entry || entry->func() == nullptr) {
    return fail(file, Error(Phase::Link, "no `_start` function exported (not a WASI command)"));
  }
  engine::Function* start = entry->func();
  if (!start->type.params.empty() || !start->type.results.empty()) {
    return fail(file, Error(Phase::Link, "`_start` must have type () -> ()"));
  }
  return run_to_end(thread, start, **instance, file).value_or(0);
}

int validate_module(const std::string& file) {
  Result<std::shared_ptr<const engine::CompiledModule>> module = load(file);
  if (!module) return fail(file, module.error());
  std::printf("%s: valid\n", file.c_str());
  return 0;
}

}  // namespace lunatic::cli
