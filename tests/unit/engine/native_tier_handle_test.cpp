// CompiledModule's code tier handle: native_tier() gives the installed tier without a reference,
// so a tier the module held stays alive as long as the module, even once replaced.
#include <gtest/gtest.h>

#include <memory>

#include "engine/compiled_module.hpp"

namespace lunatic::engine {
namespace {

// A tier that runs nothing: only its address and lifetime matter here.
class IdleTier : public CodeTier {
 public:
  std::unique_ptr<TierExecution> begin(Thread&, Function&, std::span<const Slot>) const override {
    return nullptr;
  }
  void adopt(Instance&) const override {}
  std::unique_ptr<TierExecution> begin_at(Thread&, Instance&, uint32_t, uint32_t,
                                          std::span<const Slot>) const override {
    return nullptr;
  }
};

TEST(NativeTierHandle, NoTierUntilOneIsSet) {
  CompiledModule module;
  EXPECT_EQ(module.native_tier(), nullptr);
  EXPECT_FALSE(module.has_native());
  EXPECT_EQ(module.native(), nullptr);
}

TEST(NativeTierHandle, AReplacedTierLivesAsLongAsTheModule) {
  std::weak_ptr<const CodeTier> first_alive;
  {
    CompiledModule module;
    auto first = std::make_shared<IdleTier>();
    first_alive = first;
    module.set_native(first);
    EXPECT_EQ(module.native_tier(), first.get());
    EXPECT_TRUE(module.has_native());
    const CodeTier* seen = module.native_tier();  // a reader between the two installs

    auto second = std::make_shared<IdleTier>();
    module.set_native(second);
    first.reset();
    EXPECT_EQ(module.native_tier(), second.get());
    EXPECT_EQ(module.native().get(), second.get());
    // The reader's pointer still names a live tier: the module kept the one it replaced.
    EXPECT_FALSE(first_alive.expired());
    EXPECT_EQ(seen, first_alive.lock().get());
  }
  EXPECT_TRUE(first_alive.expired());  // and let it go with the module
}

}  // namespace
}  // namespace lunatic::engine
