// Shared by the code cache tests: damage a cached object the way a loader must decline.
#pragma once

#include <elf.h>

#include <cstring>
#include <string>

namespace lunatic::tiering::testing {

/// Raises the alignment of `object`'s first executable section to 8 KiB, more than the code
/// cache's ELF loader takes (LLVM's linker takes it). False if it has none.
inline bool overalign_code_section(std::string& object) {
  Elf64_Ehdr header{};
  std::memcpy(&header, object.data(), sizeof header);
  for (size_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section{};
    const size_t at = header.e_shoff + i * sizeof section;
    std::memcpy(&section, object.data() + at, sizeof section);
    if ((section.sh_flags & SHF_EXECINSTR) == 0) continue;
    section.sh_addralign = 8192;
    std::memcpy(object.data() + at, &section, sizeof section);
    return true;
  }
  return false;
}

}  // namespace lunatic::tiering::testing
