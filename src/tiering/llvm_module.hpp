// The LLVM tier, found when first needed: linked into the program (a test, the embedding
// library), else loaded from its module, lunatic_llvm.so, next to the executable or in
// ../lib/lunatic/ relative to it. The `lunatic` executable has no LLVM in it: a run that never
// needs LLVM's code never pays for loading and relocating it (docs/design.md, "Compiled tier").
#pragma once

#include "common/result.hpp"
#include "native/optimizing_compiler.hpp"

namespace lunatic::tiering {

/// The LLVM tier's factory. The module is looked for and loaded once per process, by the first
/// caller (thread-safe; later callers get the same answer). An error says, on one line, why
/// there is none: the module is missing, fails to load, or comes from another build (its
/// build tag is not this executable's).
Result<native::OptimizerFactory> llvm_factory();

}  // namespace lunatic::tiering
