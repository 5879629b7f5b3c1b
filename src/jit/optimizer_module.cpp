// The LLVM tier behind native::OptimizingCompiler, and the two symbols its module exports: the
// factory and the build tag (the `lunatic` executable loads this as lunatic_llvm.so).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "jit/llvm_errors.hpp"
#include "jit/native_code.hpp"
#include "jit/native_tier.hpp"
#include "jit/object_cache.hpp"
#include "lunatic_build_tag.hpp"
#include "native/optimizing_compiler.hpp"

namespace lunatic::jit {
namespace {

class LlvmCompiler final : public native::OptimizingCompiler {
 public:
  explicit LlvmCompiler(std::optional<std::filesystem::path> cache_dir) {
    if (cache_dir) cache_.emplace(std::move(*cache_dir));
  }

  native::Digest digest_of(std::span<const uint8_t> bytes) const override {
    return jit::digest_of(bytes);
  }

  bool cached(const native::Digest& module_digest, unsigned opt_level,
              bool osr_entries) const override {
    return cache_ && cache_->contains(ObjectCache::key(module_digest, opt_level, osr_entries));
  }

  Result<void> attach(const engine::CompiledModule& module,
                      const native::OptimizeRequest& request) const override {
    return requests_.run([&] { return attach_native(module, options(request)); });
  }

  Result<std::unique_ptr<NativeCode>> compile_functions(
      const engine::CompiledModule& module, std::span<const uint32_t> defined,
      const native::OptimizeRequest& request) const override {
    return requests_.run([&] { return jit::compile_functions(module, defined, options(request)); });
  }

  Result<std::unique_ptr<NativeCode>> load_functions(
      const engine::CompiledModule& module, const native::OptimizeRequest& request) const override {
    return requests_.run([&] { return jit::load_functions(module, options(request)); });
  }

  Result<CompileStats> precompile(const engine::CompiledModule& module,
                                  const native::OptimizeRequest& request) const override {
    return requests_.run([&]() -> Result<CompileStats> {
      std::unique_ptr<NativeCode> code = TRY(compile_native(module, options(request)));
      return code->stats();
    });
  }

 private:
  CompileOptions options(const native::OptimizeRequest& request) const {
    return CompileOptions{.opt_level = request.opt_level,
                          .osr_entries = request.osr_entries,
                          .cache = cache_ ? &*cache_ : nullptr,
                          .module_digest = request.module_digest,
                          .cache_only = request.cache_only};
  }

  std::optional<ObjectCache> cache_;
  // Each request through guard_llvm: an LLVM failure that would end the process fails the
  // request (the module keeps the code it has) and turns the tier off for the run.
  mutable GuardedRequests requests_;
};

}  // namespace
}  // namespace lunatic::jit

extern "C" {

// The tag of the build this module comes from: the loader refuses a module whose tag differs
// from its own before it calls anything in it.
__attribute__((visibility("default"))) extern const char lunatic_optimizer_build_tag[];
const char lunatic_optimizer_build_tag[] = LUNATIC_BUILD_TAG;

__attribute__((visibility("default"))) lunatic::native::OptimizingCompiler*
lunatic_optimizer_create(const char* cache_dir, bool use_cache) {
  using lunatic::jit::ObjectCache;
  std::optional<std::filesystem::path> dir;
  if (use_cache)
    dir = cache_dir != nullptr ? std::filesystem::path(cache_dir) : ObjectCache::default_dir();
  return new lunatic::jit::LlvmCompiler(std::move(dir));
}

}  // extern "C"
