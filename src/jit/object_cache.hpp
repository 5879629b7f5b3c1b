// The code cache as the LLVM tier names it: codecache::ObjectCache and its hot entry
// (src/codecache), which the runtime also reads without LLVM.
#pragma once

#include "codecache/hot_entry.hpp"
#include "codecache/object_cache.hpp"

namespace lunatic::jit {

using codecache::add_hot_part;
using codecache::CachedCode;
using codecache::Digest;
using codecache::digest_of;
using codecache::HotCode;
using codecache::HotPart;
using codecache::load_hot;
using codecache::ObjectCache;
using codecache::to_hex;

}  // namespace lunatic::jit
