// The code cache as the LLVM tier names it: codecache::ObjectCache (src/codecache), which the
// runtime also reads without LLVM.
#pragma once

#include "codecache/object_cache.hpp"

namespace lunatic::jit {

using codecache::CachedCode;
using codecache::Digest;
using codecache::digest_of;
using codecache::ObjectCache;
using codecache::to_hex;

}  // namespace lunatic::jit
