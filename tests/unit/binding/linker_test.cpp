// Linker: resolving a module's imports to host functions under an allow-list, each error
// naming the import, and one engine::Function per host function per store.
#include "binding/linker.hpp"

#include <gtest/gtest.h>

#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"

namespace lunatic::binding {
namespace {

using wasm::ExternKind;
using wasm::ValType;

int32_t send(int64_t) { return 0; }
int64_t spawn(int64_t, GuestString) { return 1; }
int32_t fd_write(int32_t, GuestSpan<uint64_t>, GuestPtr<uint32_t>) { return 0; }
void proc_exit(int32_t) {}

class Linking : public ::testing::Test {
 protected:
  void SetUp() override {
    linker_.ns("lunatic::message").define("send", &send);
    linker_.ns("lunatic::process").define("spawn", &spawn);
    linker_.ns("wasi_snapshot_preview1")
        .define("fd_write", &fd_write)
        .define("proc_exit", &proc_exit);
  }

  /// Adds an import of function `module::name` with type `type` to m_.
  void import_func(const char* module, const char* name, wasm::FuncType type) {
    m_.types.push_back(std::move(type));
    wasm::Import imp;
    imp.module = module;
    imp.name = name;
    imp.kind = ExternKind::Func;
    imp.func_type = uint32_t(m_.types.size() - 1);
    m_.imports.push_back(imp);
    ++m_.imported_functions;
  }
  void expect_error(const AllowList& allowed, const std::string& message, const char* import_no) {
    auto r = linker_.resolve(store_, m_, allowed);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().phase, Phase::Link);
    EXPECT_EQ(r.error().message, message);
    EXPECT_EQ(r.error().context, import_no);
  }

  Linker linker_;
  wasm::Module m_;
  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  const wasm::FuncType send_type_{{ValType::I64}, {ValType::I32}};
};

TEST_F(Linking, ResolvesEveryImportInOrder) {
  import_func("wasi_snapshot_preview1", "fd_write",
              {{ValType::I32, ValType::I32, ValType::I32, ValType::I32}, {ValType::I32}});
  import_func("lunatic::message", "send", send_type_);
  auto r = linker_.resolve(store_, m_, AllowList::all());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].kind, ExternKind::Func);
  EXPECT_EQ(*(*r)[0].func()->type, m_.types[0]);
  EXPECT_TRUE((*r)[0].func()->is_host());
  EXPECT_EQ(*(*r)[1].func()->type, send_type_);

  // The externs instantiate the module.
  auto cm = std::make_shared<engine::CompiledModule>();
  cm->wasm = m_;
  auto inst = store_.instantiate(cm, *r);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ((*inst)->functions[1], (*r)[1].func());
}

TEST_F(Linking, UnknownImport) {
  import_func("lunatic::message", "send", send_type_);
  import_func("env", "foo", {});
  expect_error(AllowList::all(), "unknown import: env::foo", "import 1");
  m_ = {};
  import_func("lunatic::message", "sned", send_type_);
  expect_error(AllowList::all(), "unknown import: lunatic::message::sned", "import 0");
}

TEST_F(Linking, DisallowedImport) {
  import_func("lunatic::message", "send", send_type_);
  import_func("lunatic::process", "spawn",
              {{ValType::I64, ValType::I32, ValType::I32}, {ValType::I64}});
  AllowList messages_only({"lunatic::message", "wasi_snapshot_preview1::fd_write"});
  expect_error(messages_only, "import lunatic::process::spawn is not allowed in this environment",
               "import 1");
  expect_error(AllowList(), "import lunatic::message::send is not allowed in this environment",
               "import 0");
  EXPECT_TRUE(linker_.resolve(store_, m_, AllowList({"lunatic::"})).ok());
}

TEST_F(Linking, IncompatibleImportType) {
  import_func("lunatic::message", "send", {{ValType::I32}, {}});
  expect_error(AllowList::all(),
               "incompatible import type: lunatic::message::send expects (i64) -> (i32), module "
               "declares (i32) -> ()",
               "import 0");
  // Results matter as much as parameters.
  m_ = {};
  import_func("lunatic::message", "send", {{ValType::I64}, {ValType::I64}});
  expect_error(AllowList::all(),
               "incompatible import type: lunatic::message::send expects (i64) -> (i32), module "
               "declares (i64) -> (i64)",
               "import 0");
}

TEST_F(Linking, NonFunctionImports) {
  wasm::Import mem;
  mem.module = "lunatic::message";
  mem.name = "send";
  mem.kind = ExternKind::Memory;
  mem.memory = wasm::MemoryType{wasm::Limits{1, std::nullopt}};
  m_.imports.push_back(mem);
  expect_error(AllowList::all(),
               "incompatible import type: lunatic::message::send is a function, module imports "
               "a memory",
               "import 0");
  m_.imports[0].module = "env";
  m_.imports[0].name = "memory";
  expect_error(AllowList::all(), "unknown import: env::memory", "import 0");
}

TEST_F(Linking, BadTypeIndexIsAnErrorNotACrash) {
  import_func("lunatic::message", "send", send_type_);
  m_.imports[0].func_type = 99;
  expect_error(AllowList::all(),
               "incompatible import type: lunatic::message::send expects (i64) -> (i32), module "
               "declares type index 99 out of range",
               "import 0");
}

TEST_F(Linking, OneFunctionPerStore) {
  import_func("lunatic::message", "send", send_type_);
  import_func("lunatic::message", "send", send_type_);  // the same import twice
  HostFunctionCache functions(store_);
  auto a = linker_.resolve(functions, m_, AllowList::all());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)[0].func(), (*a)[1].func());
  // A second instance in the same store reuses the function.
  auto b = linker_.resolve(functions, m_, AllowList::all());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0].func(), (*a)[0].func());
  // Another store gets its own.
  engine::Store other(pool_);
  auto c = linker_.resolve(other, m_, AllowList::all());
  ASSERT_TRUE(c.ok());
  EXPECT_NE((*c)[0].func(), (*a)[0].func());
  EXPECT_EQ((*c)[0].func(), (*c)[1].func());
}

TEST_F(Linking, NamespacesAddAndReplace) {
  Namespace timer("lunatic::timer");
  timer.define("send_after", [](int64_t, int64_t) -> int64_t { return 0; });
  linker_.add(std::move(timer));
  ASSERT_NE(linker_.find("lunatic::timer", "send_after"), nullptr);
  EXPECT_EQ(linker_.find("lunatic::timer", "send_after")->full_name(),
            "lunatic::timer::send_after");
  EXPECT_EQ(linker_.find("lunatic::timer", "cancel"), nullptr);
  EXPECT_EQ(linker_.find("lunatic::nope", "send_after"), nullptr);
  linker_.add(Namespace("lunatic::timer"));
  EXPECT_EQ(linker_.find("lunatic::timer", "send_after"), nullptr);
  EXPECT_EQ(&linker_.ns("lunatic::message"), &linker_.ns("lunatic::message"));
}

TEST(AllowListTest, PlainStringPrefixesOfModuleAndName) {
  AllowList list({"lunatic::message", "wasi_snapshot_preview1::fd_write"});
  EXPECT_TRUE(list.allows("lunatic::message", "send"));
  EXPECT_TRUE(list.allows("wasi_snapshot_preview1", "fd_write"));
  EXPECT_FALSE(list.allows("wasi_snapshot_preview1", "fd_read"));
  EXPECT_FALSE(list.allows("lunatic::process", "spawn"));
  EXPECT_FALSE(list.allows("lunatic::messag", "e"));             // "lunatic::messag::e"
  EXPECT_TRUE(AllowList({"lunatic::"}).allows("lunatic", "x"));  // the "::" joins the two
  EXPECT_TRUE(
      AllowList({"wasi_snapshot_preview1::fd_"}).allows("wasi_snapshot_preview1", "fd_seek"));
  EXPECT_TRUE(list.allows("lunatic::messages", "x"));  // plain prefix, as documented
  EXPECT_FALSE(AllowList().allows("", ""));
  EXPECT_TRUE(AllowList::all().allows("", ""));
}

TEST(AllowListTest, IntersectionNeverGrants) {
  AllowList parent({"lunatic::", "wasi_snapshot_preview1::fd_write"});
  AllowList child(
      {"lunatic::message", "lunatic::process::spawn", "wasi_snapshot_preview1::", "env::"});
  AllowList both = parent.intersect(child);
  EXPECT_EQ(both.prefixes(),
            (std::vector<std::string>{"lunatic::message", "lunatic::process::spawn",
                                      "wasi_snapshot_preview1::fd_write"}));
  EXPECT_EQ(child.intersect(parent).prefixes().size(), 3u);
  EXPECT_TRUE(AllowList::all().intersect(child).prefixes() == child.prefixes());
  EXPECT_TRUE(AllowList().intersect(child).prefixes().empty());
}

}  // namespace
}  // namespace lunatic::binding
