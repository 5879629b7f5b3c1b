// ElfImage: an x86-64 ELF relocatable object (what LLVM emits for a module, as the code cache
// stores it) linked at the address of one anonymous mapping, without LLVM. Only what our
// objects hold is accepted (docs/design.md, "Compiled tier"); anything else is declined, so
// that the caller falls back to LLVM's linker. The object is hostile input: every offset,
// size, index and relocation is checked before it is used.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.hpp"
#include "native/native_code.hpp"

namespace lunatic::codecache {

/// The address of an undefined symbol the object references, 0 when it is unknown (the
/// object is then declined).
using SymbolResolver = uint64_t (*)(std::string_view name);

class ElfImage final : public native::CodeOwner {
 public:
  /// No image larger than this is mapped.
  static constexpr uint64_t kMaxImageBytes = uint64_t{1} << 30;

  struct Symbol {
    uint64_t address = 0;
    uint64_t size = 0;
    bool function = false;
  };

  /// Lays out the object's allocated sections (code and read-only data; .eh_frame is left
  /// out: compiled frames are never unwound), applies its relocations (R_X86_64_64, PC64,
  /// PC32, PLT32, 32, 32S; a 32-bit one that does not reach is declined) and makes the
  /// mapping read+execute (never writable and executable at once). Errors (Phase::Unsupported,
  /// context "code cache"): why the object is declined. Thread-safe.
  static Result<std::unique_ptr<ElfImage>> load(std::span<const uint8_t> object,
                                                SymbolResolver resolve);
  ~ElfImage() override;
  ElfImage(const ElfImage&) = delete;
  ElfImage& operator=(const ElfImage&) = delete;

  /// A global symbol the object defines, by name; null when there is none.
  const Symbol* find(std::string_view name) const {
    auto it = symbols_.find(std::string(name));
    return it == symbols_.end() ? nullptr : &it->second;
  }
  /// Every global symbol the object defines.
  const std::unordered_map<std::string, Symbol>& symbols() const { return symbols_; }
  uint64_t base() const { return reinterpret_cast<uint64_t>(base_); }
  uint64_t size() const { return size_; }

 private:
  ElfImage() = default;
  void* base_ = nullptr;
  uint64_t size_ = 0;
  std::unordered_map<std::string, Symbol> symbols_;
  friend class ElfLinker;
};

}  // namespace lunatic::codecache
