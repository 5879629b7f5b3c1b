// The LLVM tier's factory as a weak symbol: non-null only in a program that links the tier
// (lunatic_jit: the tests, the embedding library); the CLI loads it from kOptimizerModule
// instead. Not for src/jit/optimizer_module.cpp, which defines it (a weak declaration would
// make that definition weak too).
#pragma once

#include "native/optimizing_compiler.hpp"

extern "C" lunatic::native::OptimizingCompiler* lunatic_optimizer_create(const char* cache_dir,
                                                                         bool use_cache)
    __attribute__((weak));
