// Symbol sizes of an object LLVM emitted, for the perf map (native/perf_map.hpp writes it).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace llvm {
class MemoryBufferRef;
}

namespace lunatic::jit {

/// Machine-code symbol sizes of `object` (an object file), by symbol name; empty when the file
/// cannot be read. Taken before the JIT owns the buffer.
std::map<std::string, uint64_t> symbol_sizes(llvm::MemoryBufferRef object);

}  // namespace lunatic::jit
