// The WASI import resolver: which imports link, to what, and the errors for the others.
#include <gtest/gtest.h>

#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi {
namespace {

using wasm::ValType;

class WasiLinker : public ::testing::Test {
 protected:
  // Adds a function import of `module_name`.`name` with the given type to module_.
  void import_func(std::string module_name, std::string name, wasm::FuncType type) {
    module_.types.push_back(std::move(type));
    wasm::Import import;
    import.module = std::move(module_name);
    import.name = std::move(name);
    import.kind = wasm::ExternKind::Func;
    import.func_type = static_cast<uint32_t>(module_.types.size() - 1);
    module_.imports.push_back(import);
    module_.imported_functions++;
  }
  Result<std::vector<engine::Extern>> link() {
    return link_imports(store_, module_, std::make_shared<WasiContext>());
  }

  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  wasm::Module module_;
};

const wasm::FuncType kFdWrite{{ValType::I32, ValType::I32, ValType::I32, ValType::I32},
                              {ValType::I32}};

TEST_F(WasiLinker, LinksEveryImportInOrder) {
  import_func("wasi_snapshot_preview1", "fd_write", kFdWrite);
  import_func("wasi_snapshot_preview1", "proc_exit", {{ValType::I32}, {}});
  import_func("wasi_snapshot_preview1", "clock_time_get",
              {{ValType::I32, ValType::I64, ValType::I32}, {ValType::I32}});
  import_func("wasi_snapshot_preview1", "path_open",  // outside the subset: ENOSYS stub
              {{ValType::I32, ValType::I32, ValType::I32, ValType::I32, ValType::I32, ValType::I64,
                ValType::I64, ValType::I32, ValType::I32},
               {ValType::I32}});
  auto externs = link();
  ASSERT_TRUE(externs.ok()) << externs.error().to_string();
  ASSERT_EQ(externs->size(), 4u);
  for (size_t i = 0; i < externs->size(); ++i) {
    engine::Function* fn = (*externs)[i].func();
    ASSERT_NE(fn, nullptr);
    EXPECT_TRUE(fn->is_host());
    EXPECT_EQ(fn->type, module_.types[module_.imports[i].func_type]);
  }
}

TEST_F(WasiLinker, NoImportsLinksNothing) {
  auto externs = link();
  ASSERT_TRUE(externs.ok());
  EXPECT_TRUE(externs->empty());
}

TEST_F(WasiLinker, UnknownModuleNamesTheImport) {
  import_func("wasi_snapshot_preview1", "fd_write", kFdWrite);
  import_func("env", "missing", {{ValType::I32}, {ValType::I32}});
  auto externs = link();
  ASSERT_FALSE(externs.ok());
  EXPECT_EQ(externs.error().phase, Phase::Link);
  EXPECT_EQ(externs.error().message, "unknown import");
  EXPECT_EQ(externs.error().context, "import env.missing");
}

TEST_F(WasiLinker, UnknownWasiName) {
  import_func("wasi_snapshot_preview1", "fd_frobnicate", kFdWrite);
  auto externs = link();
  ASSERT_FALSE(externs.ok());
  EXPECT_EQ(externs.error().message, "unknown import");
  EXPECT_EQ(externs.error().context, "import wasi_snapshot_preview1.fd_frobnicate");
}

TEST_F(WasiLinker, WrongSignature) {
  import_func("wasi_snapshot_preview1", "fd_write", {{ValType::I32}, {ValType::I32}});
  auto externs = link();
  ASSERT_FALSE(externs.ok());
  EXPECT_EQ(externs.error().phase, Phase::Link);
  EXPECT_EQ(externs.error().message, "incompatible import type");
}

TEST_F(WasiLinker, NonFunctionImportIsUnknown) {
  wasm::Import import;
  import.module = "wasi_snapshot_preview1";
  import.name = "memory";
  import.kind = wasm::ExternKind::Memory;
  module_.imports.push_back(import);
  auto externs = link();
  ASSERT_FALSE(externs.ok());
  EXPECT_EQ(externs.error().message, "unknown import");
}

}  // namespace
}  // namespace lunatic::host::wasi
