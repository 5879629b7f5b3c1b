// llvm_factory: the weak link to a tier linked in, else dlopen of lunatic_llvm.so, once.
#include "tiering/llvm_module.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "codecache/build_identity.hpp"
#include "lunatic_build_tag.hpp"
#include "native/linked_optimizer.hpp"

namespace lunatic::tiering {
namespace {

Error unavailable(const std::string& why) {
  return Error(Phase::Unsupported, "the LLVM tier is not available: " + why, Error::kNoOffset,
               "jit");
}

Result<native::OptimizerFactory> load() {
  if (&lunatic_optimizer_create != nullptr) return &lunatic_optimizer_create;
  std::vector<std::filesystem::path> paths = codecache::llvm_module_candidates();
  std::error_code ec;
  auto found = std::find_if(paths.begin(), paths.end(),
                            [&](const auto& path) { return std::filesystem::exists(path, ec); });
  if (found == paths.end()) {
    return unavailable(std::string(native::kOptimizerModule) +
                       " is not next to the executable nor in " +
                       (paths.empty() ? "../lib/lunatic" : paths.back().parent_path().string()));
  }
  // Kept loaded for the rest of the process: native code and its owners point into it.
  void* handle = dlopen(found->c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return unavailable(dlerror());
  const auto* tag = static_cast<const char*>(dlsym(handle, native::kOptimizerBuildTag));
  if (tag == nullptr || std::strcmp(tag, LUNATIC_BUILD_TAG) != 0) {
    dlclose(handle);
    return unavailable(found->string() + " comes from another build (" +
                       (tag == nullptr ? "no build tag" : tag) +
                       ", this is " LUNATIC_BUILD_TAG ")");
  }
  void* factory = dlsym(handle, native::kOptimizerFactory);
  if (factory == nullptr) {
    dlclose(handle);
    return unavailable(found->string() + " has no " + native::kOptimizerFactory);
  }
  return reinterpret_cast<native::OptimizerFactory>(factory);
}

}  // namespace

Result<native::OptimizerFactory> llvm_factory() {
  static std::once_flag once;
  static std::optional<Result<native::OptimizerFactory>> result;
  std::call_once(once, [] { result.emplace(load()); });
  return *result;
}

}  // namespace lunatic::tiering
