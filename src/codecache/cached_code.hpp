// A module's whole-module code from the code cache, loaded without LLVM: the entry's object
// linked by ElfImage, its entry points looked up by name, as the native::NativeCode the tiers
// run (the same one LLVM's linker would make of the entry).
#pragma once

#include <memory>

#include "codecache/object_cache.hpp"
#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "native/native_code.hpp"

namespace lunatic::codecache {

/// The code of entry `key` for `module` (decoded, validated and lowered): a typed and slot
/// entry for every defined function, an OSR entry where the entry's table says so, with
/// LUNATIC_PERF_MAP's lines written. Errors (Phase::Unsupported, context "code cache"): no
/// entry, an entry that fails its checks or does not fit the module, or an object the loader
/// declines (the caller then goes through LLVM). Thread-safe.
Result<std::unique_ptr<native::NativeCode>> load_cached(const engine::CompiledModule& module,
                                                        const ObjectCache& cache,
                                                        const Digest& key);

/// load_cached, then attached as the module's native tier (native::attach_code).
Result<void> attach_cached(const engine::CompiledModule& module, const ObjectCache& cache,
                           const Digest& key);

}  // namespace lunatic::codecache
