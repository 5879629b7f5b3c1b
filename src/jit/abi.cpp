// Definitions of the ABI's layout queries (abi.hpp).
#include "jit/abi.hpp"
#include "engine/store.hpp"

namespace lunatic::jit {

size_t global_value_offset() { return offsetof(engine::Global, value); }
size_t function_type_offset() { return offsetof(engine::Function, type); }

}  // namespace lunatic::jit
