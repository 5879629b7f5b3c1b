// tiering::llvm_factory in a program that links the LLVM tier (as the tests do): the linked-in
// factory, found once, whatever thread asks first; what it makes compiles and caches.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "native/optimizing_compiler.hpp"
#include "tiering/llvm_module.hpp"

extern "C" lunatic::native::OptimizingCompiler* lunatic_optimizer_create(const char* cache_dir,
                                                                         bool use_cache);

namespace lunatic::tiering {
namespace {

TEST(LlvmModule, TheLinkedInTierIsFoundOnceByEveryThread) {
  std::vector<native::OptimizerFactory> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] {
      Result<native::OptimizerFactory> factory = llvm_factory();
      seen[i] = factory.ok() ? *factory : nullptr;
    });
  }
  for (std::thread& t : threads) t.join();
  for (native::OptimizerFactory factory : seen) EXPECT_EQ(factory, &lunatic_optimizer_create);
}

TEST(LlvmModule, ItsCompilerDigestsLikeSha256AndHasNoCacheWhenAskedForNone) {
  Result<native::OptimizerFactory> factory = llvm_factory();
  ASSERT_TRUE(factory.ok()) << factory.error().to_string();
  std::unique_ptr<native::OptimizingCompiler> llvm((*factory)(nullptr, false));
  ASSERT_NE(llvm, nullptr);
  const uint8_t abc[] = {'a', 'b', 'c'};
  const native::Digest digest = llvm->digest_of(abc);
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(digest[0], 0xba);
  EXPECT_EQ(digest[1], 0x78);
  EXPECT_EQ(digest[31], 0xad);
  EXPECT_FALSE(llvm->cached(digest, 2, true));
}

}  // namespace
}  // namespace lunatic::tiering
