// The table of wasi_snapshot_preview1 functions (name, signature, implementation) and the
// resolver that turns a module's imports into host functions of a Store.
#include <string_view>

#include "host/wasi/functions.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi {
namespace {

struct Entry {
  std::string_view name;
  std::string_view params;   ///< one letter per parameter: 'i' = i32, 'I' = i64
  std::string_view results;  ///< "i" (an errno) or "" (proc_exit)
  Impl impl;
};

// Every function of preview1 (signatures as wasi-libc imports them). Those outside the
// minimal subset are bound to not_implemented (ENOSYS).
constexpr Entry kFunctions[] = {
    {"args_get", "ii", "i", args_get},
    {"args_sizes_get", "ii", "i", args_sizes_get},
    {"environ_get", "ii", "i", environ_get},
    {"environ_sizes_get", "ii", "i", environ_sizes_get},
    {"clock_res_get", "ii", "i", clock_res_get},
    {"clock_time_get", "iIi", "i", clock_time_get},
    {"fd_advise", "iIIi", "i", not_implemented},
    {"fd_allocate", "iII", "i", not_implemented},
    {"fd_close", "i", "i", fd_close},
    {"fd_datasync", "i", "i", not_implemented},
    {"fd_fdstat_get", "ii", "i", fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", "i", not_implemented},
    {"fd_fdstat_set_rights", "iII", "i", not_implemented},
    {"fd_filestat_get", "ii", "i", not_implemented},
    {"fd_filestat_set_size", "iI", "i", not_implemented},
    {"fd_filestat_set_times", "iIIi", "i", not_implemented},
    {"fd_pread", "iiiIi", "i", not_implemented},
    {"fd_prestat_get", "ii", "i", fd_prestat_get},
    {"fd_prestat_dir_name", "iii", "i", fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", "i", not_implemented},
    {"fd_read", "iiii", "i", not_implemented},
    {"fd_readdir", "iiiIi", "i", not_implemented},
    {"fd_renumber", "ii", "i", not_implemented},
    {"fd_seek", "iIii", "i", fd_seek},
    {"fd_sync", "i", "i", not_implemented},
    {"fd_tell", "ii", "i", not_implemented},
    {"fd_write", "iiii", "i", fd_write},
    {"path_create_directory", "iii", "i", not_implemented},
    {"path_filestat_get", "iiiii", "i", not_implemented},
    {"path_filestat_set_times", "iiiiIIi", "i", not_implemented},
    {"path_link", "iiiiiii", "i", not_implemented},
    {"path_open", "iiiiiIIii", "i", not_implemented},
    {"path_readlink", "iiiiii", "i", not_implemented},
    {"path_remove_directory", "iii", "i", not_implemented},
    {"path_rename", "iiiiii", "i", not_implemented},
    {"path_symlink", "iiiii", "i", not_implemented},
    {"path_unlink_file", "iii", "i", not_implemented},
    {"poll_oneoff", "iiii", "i", not_implemented},
    {"proc_exit", "i", "", proc_exit},
    {"proc_raise", "i", "i", not_implemented},
    {"sched_yield", "", "i", sched_yield},
    {"random_get", "ii", "i", random_get},
    {"sock_accept", "iii", "i", not_implemented},
    {"sock_recv", "iiiiii", "i", not_implemented},
    {"sock_send", "iiiii", "i", not_implemented},
    {"sock_shutdown", "ii", "i", not_implemented},
};

std::vector<wasm::ValType> val_types(std::string_view letters) {
  std::vector<wasm::ValType> out;
  for (char c : letters) out.push_back(c == 'I' ? wasm::ValType::I64 : wasm::ValType::I32);
  return out;
}

const Entry* find_function(std::string_view name) {
  for (const Entry& e : kFunctions) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Error link_error(const char* message, const wasm::Import& import) {
  return Error(Phase::Link, message, Error::kNoOffset,
               "import " + import.module + "." + import.name);
}

}  // namespace

Result<std::vector<engine::Extern>> link_imports(engine::Store& store, const wasm::Module& module,
                                                 std::shared_ptr<WasiContext> context) {
  std::vector<engine::Extern> externs;
  externs.reserve(module.imports.size());
  for (const wasm::Import& import : module.imports) {
    const Entry* entry = nullptr;
    if (import.module == kModuleName && import.kind == wasm::ExternKind::Func) {
      entry = find_function(import.name);
    }
    if (entry == nullptr) return link_error("unknown import", import);
    wasm::FuncType type{val_types(entry->params), val_types(entry->results)};
    if (import.func_type >= module.types.size() || module.types[import.func_type] != type) {
      return link_error("incompatible import type", import);
    }
    Impl impl = entry->impl;
    engine::Function* fn = store.add_host_function(
        std::move(type), [impl, context](engine::HostCall& call) { return impl(*context, call); });
    externs.push_back(engine::Extern{wasm::ExternKind::Func, fn});
  }
  return externs;
}

}  // namespace lunatic::host::wasi
