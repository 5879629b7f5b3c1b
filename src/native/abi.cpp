// Definitions of the ABI's layout queries (abi.hpp).
#include "native/abi.hpp"
#include "engine/store.hpp"

namespace lunatic::native {

size_t global_value_offset() { return offsetof(engine::Global, value); }
// Compiled code reads and writes a v128 global's 16 bytes at once from Global::value.
static_assert(offsetof(engine::Global, hi) == offsetof(engine::Global, value) + sizeof(Slot));
size_t function_type_offset() { return offsetof(engine::Function, type); }

}  // namespace lunatic::native
