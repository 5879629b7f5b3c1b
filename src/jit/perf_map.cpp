// Machine-code symbol sizes of an object file (LLVM's object reader), for the perf map.
#include "jit/perf_map.hpp"

#include <llvm/Object/ObjectFile.h>
#include <llvm/Object/SymbolSize.h>

namespace lunatic::jit {

std::map<std::string, uint64_t> symbol_sizes(llvm::MemoryBufferRef object) {
  std::map<std::string, uint64_t> out;
  auto file = llvm::object::ObjectFile::createObjectFile(object);
  if (!file) {
    llvm::consumeError(file.takeError());
    return out;
  }
  for (const auto& [symbol, size] : llvm::object::computeSymbolSizes(**file)) {
    auto type = symbol.getType();
    auto name = symbol.getName();
    if (!type || !name || *type != llvm::object::SymbolRef::ST_Function) {
      if (!type) llvm::consumeError(type.takeError());
      if (!name) llvm::consumeError(name.takeError());
      continue;
    }
    out[name->str()] = size;
  }
  return out;
}

}  // namespace lunatic::jit
