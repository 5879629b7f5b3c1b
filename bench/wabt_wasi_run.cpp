// wabt_wasi_run: runs a wasm32-wasi command on wabt's interpreter (libwabt, the engine
// behind `wasm-interp`), because Debian's wasm-interp is built without `--wasi` support.
// Provides just the WASI calls a plain C benchmark uses; used only by bench/.
#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using wabt::Result;
using wabt::interp::HostFunc;
using wabt::interp::Memory;
using wabt::interp::Store;
using wabt::interp::Thread;
using wabt::interp::Trap;
using wabt::interp::Value;
using wabt::interp::Values;

constexpr uint32_t kErrnoSuccess = 0;
constexpr uint32_t kErrnoBadf = 8;
constexpr uint32_t kErrnoFault = 21;
constexpr uint32_t kErrnoNosys = 52;

/// The state the WASI functions share: the guest's memory and its argv.
struct WasiContext {
  Memory::Ptr memory;
  std::vector<std::string> args;
};

/// Checked view of guest memory; nullptr when [addr, addr+len) is out of bounds.
uint8_t* guest_bytes(WasiContext& ctx, uint64_t addr, uint64_t len) {
  if (!ctx.memory) return nullptr;
  uint64_t size = ctx.memory->ByteSize();
  if (addr > size || len > size - addr) return nullptr;
  return ctx.memory->UnsafeData() + addr;
}

bool store_u32(WasiContext& ctx, uint64_t addr, uint32_t value) {
  uint8_t* p = guest_bytes(ctx, addr, 4);
  if (p == nullptr) return false;
  std::memcpy(p, &value, 4);  // wasm is little-endian, and so is the host (x86-64)
  return true;
}

uint32_t arg_u32(const Values& params, size_t i) { return params[i].Get<uint32_t>(); }

uint32_t args_sizes_get(WasiContext& ctx, const Values& params) {
  uint32_t bytes = 0;
  for (const std::string& a : ctx.args) bytes += static_cast<uint32_t>(a.size() + 1);
  bool ok = store_u32(ctx, arg_u32(params, 0), static_cast<uint32_t>(ctx.args.size())) &&
            store_u32(ctx, arg_u32(params, 1), bytes);
  return ok ? kErrnoSuccess : kErrnoFault;
}

uint32_t args_get(WasiContext& ctx, const Values& params) {
  uint32_t argv = arg_u32(params, 0);
  uint32_t buf = arg_u32(params, 1);
  for (const std::string& a : ctx.args) {
    uint8_t* dst = guest_bytes(ctx, buf, a.size() + 1);
    if (dst == nullptr || !store_u32(ctx, argv, buf)) return kErrnoFault;
    std::memcpy(dst, a.c_str(), a.size() + 1);
    argv += 4;
    buf += static_cast<uint32_t>(a.size() + 1);
  }
  return kErrnoSuccess;
}

/// fd_write(fd, iovs, iovs_len, nwritten): stdout and stderr only.
uint32_t fd_write(WasiContext& ctx, const Values& params) {
  uint32_t fd = arg_u32(params, 0);
  if (fd != 1 && fd != 2) return kErrnoBadf;
  FILE* out = fd == 1 ? stdout : stderr;
  uint32_t iovs = arg_u32(params, 1);
  uint32_t count = arg_u32(params, 2);
  uint32_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t* iov = guest_bytes(ctx, uint64_t{iovs} + uint64_t{i} * 8, 8);
    if (iov == nullptr) return kErrnoFault;
    uint32_t base = 0, len = 0;
    std::memcpy(&base, iov, 4);
    std::memcpy(&len, iov + 4, 4);
    uint8_t* data = guest_bytes(ctx, base, len);
    if (data == nullptr) return kErrnoFault;
    std::fwrite(data, 1, len, out);
    total += len;
  }
  return store_u32(ctx, arg_u32(params, 3), total) ? kErrnoSuccess : kErrnoFault;
}

/// fd_fdstat_get: reports a character device with no rights restrictions for 0-2.
uint32_t fd_fdstat_get(WasiContext& ctx, const Values& params) {
  uint32_t fd = arg_u32(params, 0);
  if (fd > 2) return kErrnoBadf;
  uint8_t* st = guest_bytes(ctx, arg_u32(params, 1), 24);
  if (st == nullptr) return kErrnoFault;
  std::memset(st, 0, 24);
  st[0] = 2;                      // filetype: character device
  std::memset(st + 8, 0xff, 16);  // rights base and inheriting: all
  return kErrnoSuccess;
}

/// Dispatches one WASI import by name; unknown names answer ENOSYS.
uint32_t call_wasi(WasiContext& ctx, const std::string& name, const Values& params) {
  if (name == "args_sizes_get") return args_sizes_get(ctx, params);
  if (name == "args_get") return args_get(ctx, params);
  if (name == "fd_write") return fd_write(ctx, params);
  if (name == "fd_fdstat_get") return fd_fdstat_get(ctx, params);
  if (name == "environ_sizes_get") {
    bool ok = store_u32(ctx, arg_u32(params, 0), 0) && store_u32(ctx, arg_u32(params, 1), 0);
    return ok ? kErrnoSuccess : kErrnoFault;
  }
  if (name == "environ_get") return kErrnoSuccess;
  if (name == "fd_close") return kErrnoSuccess;
  if (name == "fd_seek") return kErrnoBadf;  // stdout is not seekable
  return kErrnoNosys;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "wabt_wasi_run: %s\n", message.c_str());
  return 1;
}

int run(const char* path, std::vector<std::string> args) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::string("cannot open ") + path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());

  wabt::Features features;  // wabt's defaults, as wasm-interp uses them
  Store store(features);
  wabt::interp::ModuleDesc desc;
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(features, nullptr, true, true, true);
  if (wabt::Failed(wabt::interp::ReadBinaryInterp(path, bytes.data(), bytes.size(), options,
                                                  &errors, &desc))) {
    return fail(wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary));
  }
  auto module = wabt::interp::Module::New(store, desc);

  WasiContext ctx;
  ctx.args = std::move(args);
  wabt::interp::RefVec imports;
  for (const wabt::interp::ImportDesc& import : desc.imports) {
    const wabt::interp::ImportType& type = import.type;
    if (type.module != "wasi_snapshot_preview1" ||
        type.type->kind != wabt::interp::ExternKind::Func) {
      return fail("unsupported import " + type.module + "." + type.name);
    }
    auto func_type = *wabt::cast<wabt::interp::FuncType>(type.type.get());
    std::string name = type.name;
    auto callback = [&ctx, name](Thread&, const Values& params, Values& results,
                                 Trap::Ptr*) -> Result {
      if (name == "proc_exit") {
        std::fflush(stdout);
        std::exit(static_cast<int>(params[0].Get<uint32_t>()));
      }
      uint32_t err = call_wasi(ctx, name, params);
      if (!results.empty()) results[0] = Value::Make(err);
      return Result::Ok;
    };
    imports.push_back(HostFunc::New(store, func_type, callback).ref());
  }

  Trap::Ptr trap;
  auto instance = wabt::interp::Instance::Instantiate(store, module.ref(), imports, &trap);
  if (!instance) return fail("instantiation failed: " + (trap ? trap->message() : std::string()));
  if (!instance->memories().empty()) ctx.memory = store.UnsafeGet<Memory>(instance->memories()[0]);

  for (size_t i = 0; i < desc.exports.size(); ++i) {
    if (desc.exports[i].type.name != "_start") continue;
    auto func = store.UnsafeGet<wabt::interp::Func>(instance->exports()[i]);
    Values params, results;
    if (wabt::Failed(func->Call(store, params, results, &trap))) {
      return fail("trap: " + (trap ? trap->message() : std::string("unknown")));
    }
    std::fflush(stdout);
    return 0;
  }
  return fail("no _start export");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: wabt_wasi_run FILE.wasm [ARGS...]\n");
    return 2;
  }
  // The guest's argv[0] is the module path, as wasm-interp --wasi passes it.
  return run(argv[1], std::vector<std::string>(argv + 1, argv + argc));
}
