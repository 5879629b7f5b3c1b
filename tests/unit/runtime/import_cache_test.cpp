// ImportCache: a hit only for the very module and environment cached, never for dead ones,
// and dead entries are dropped as the cache grows.
#include "runtime/import_cache.hpp"

#include <gtest/gtest.h>

#include "runtime/environment.hpp"

namespace lunatic::runtime {
namespace {

using Module = std::shared_ptr<const engine::CompiledModule>;
using Env = std::shared_ptr<const Environment>;

ImportCache::Externs externs_of(int tag) {
  auto v = std::make_shared<std::vector<engine::Extern>>();
  v->push_back(engine::Extern{wasm::ExternKind::Func, reinterpret_cast<void*>(uintptr_t(tag))});
  return v;
}

TEST(ImportCache, HitsOnlyTheSameModuleInTheSameEnvironment) {
  ImportCache cache;
  Module a = std::make_shared<engine::CompiledModule>();
  Module b = std::make_shared<engine::CompiledModule>();
  Env e = Environment::create({});
  Env f = Environment::create({});
  EXPECT_EQ(cache.find(a, e), nullptr);
  cache.insert(a, e, externs_of(1));
  ImportCache::Externs hit = cache.find(a, e);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->at(0).entity, reinterpret_cast<void*>(1));
  EXPECT_EQ(cache.find(a, f), nullptr);
  EXPECT_EQ(cache.find(b, e), nullptr);
  cache.insert(a, e, externs_of(2));  // replaces
  EXPECT_EQ(cache.find(a, e)->at(0).entity, reinterpret_cast<void*>(2));
}

TEST(ImportCache, NeverHitsForADeadModuleOrEnvironment) {
  ImportCache cache;
  Module m = std::make_shared<engine::CompiledModule>();
  Env e = Environment::create({});
  cache.insert(m, e, externs_of(1));
  std::weak_ptr<const engine::CompiledModule> old = m;
  m.reset();
  ASSERT_TRUE(old.expired());
  // Whatever address the next module gets, the cached entry is not its.
  for (int i = 0; i < 16; ++i) {
    Module fresh = std::make_shared<engine::CompiledModule>();
    EXPECT_EQ(cache.find(fresh, e), nullptr);
  }
  Module n = std::make_shared<engine::CompiledModule>();
  cache.insert(n, e, externs_of(3));
  e = Environment::create({});
  EXPECT_EQ(cache.find(n, e), nullptr);
}

TEST(ImportCache, DropsDeadEntriesAsItGrows) {
  ImportCache cache;
  Env e = Environment::create({});
  Module kept = std::make_shared<engine::CompiledModule>();
  cache.insert(kept, e, externs_of(1));
  for (int i = 0; i < 1000; ++i) {
    Module dying = std::make_shared<engine::CompiledModule>();
    cache.insert(dying, e, externs_of(2));
  }
  EXPECT_LE(cache.size(), 64u);  // only the live entry survives each pruning
  ASSERT_NE(cache.find(kept, e), nullptr);
  EXPECT_EQ(cache.find(kept, e)->at(0).entity, reinterpret_cast<void*>(1));
}

}  // namespace
}  // namespace lunatic::runtime
