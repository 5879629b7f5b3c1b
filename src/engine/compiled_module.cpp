// CompiledModule's lifetime: defined here, where CompiledFunction is a complete type, so that
// code holding a CompiledModule never needs the interpreter's code format.
#include "engine/compiled_module.hpp"

#include "engine/code.hpp"  // CompiledFunction, complete

namespace lunatic::engine {

CompiledModule::CompiledModule() = default;
CompiledModule::~CompiledModule() = default;

}  // namespace lunatic::engine
