// A module's code from the code cache, loaded without LLVM: the whole module's entry, or the
// hot functions' (hot_entry.hpp); each object linked by ElfImage, its entry points looked up
// by name, as the native::NativeCode the tiers run (the same one LLVM's linker would make).
#pragma once

#include <memory>
#include <string>

#include "codecache/hot_entry.hpp"
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

/// The code of hot entry `hot` (loaded by load_hot for `module`, whose file is `entry`): each
/// batch's object linked into an image of its own (a batch's code calls other functions
/// through their slot entries, never by name), the typed, slot and OSR entries of the batches'
/// functions, null for the others; LUNATIC_PERF_MAP's lines written. Errors (Phase::Unsupported,
/// context "code cache"): an object the loader declines or without a batch function's entry
/// points (the caller may then go through LLVM). Thread-safe.
Result<std::unique_ptr<native::NativeCode>> link_hot(const engine::CompiledModule& module,
                                                     HotCode hot, std::string entry);

/// load_cached, then attached as the module's native tier (native::attach_code).
Result<void> attach_cached(const engine::CompiledModule& module, const ObjectCache& cache,
                           const Digest& key);

}  // namespace lunatic::codecache
