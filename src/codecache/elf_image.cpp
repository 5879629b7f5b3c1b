// ElfImage::load: section layout, symbols, relocations, then one mapping made read+execute.
#include "codecache/elf_image.hpp"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace lunatic::codecache {

namespace {

constexpr uint64_t kMaxAlign = 4096;

Error declined(const std::string& why) {
  return Error(Phase::Unsupported, "object declined: " + why, Error::kNoOffset, "code cache");
}

// [offset, offset + size) lies within [0, total), without overflow.
bool within(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

}  // namespace

// The checks and the linking, one object at a time.
class ElfLinker {
 public:
  ElfLinker(std::span<const uint8_t> object, SymbolResolver resolve)
      : in_(object), resolve_(resolve) {}

  Result<std::unique_ptr<ElfImage>> run() {
    TRY(read_header());
    TRY(lay_out());
    TRY(read_symbols());
    image_.reset(new ElfImage);
    TRY(map());
    TRY(relocate());
    if (::mprotect(image_->base_, image_->size_, PROT_READ | PROT_EXEC) != 0)
      return declined("mprotect failed");
    export_symbols();
    return std::move(image_);
  }

 private:
  struct Placed {
    bool loaded = false;
    uint64_t offset = 0;  ///< in the image
  };
  struct Resolved {
    bool valid = false;  ///< defined in a loaded section, absolute, or resolved by name
    bool in_image = false;
    uint64_t value = 0;  ///< image offset (in_image) or absolute address
  };

  template <typename T> T read(uint64_t offset) const {
    T out{};
    std::memcpy(&out, in_.data() + offset, sizeof out);
    return out;
  }
  // A NUL-terminated name at `offset` of string table `table`; nullopt when it runs out.
  std::optional<std::string_view> name_in(const Elf64_Shdr& table, uint64_t offset) const {
    if (offset >= table.sh_size) return std::nullopt;
    const auto* start = reinterpret_cast<const char*>(in_.data() + table.sh_offset + offset);
    const void* end = std::memchr(start, 0, table.sh_size - offset);
    if (end == nullptr) return std::nullopt;
    return std::string_view(start, static_cast<const char*>(end) - start);
  }

  Result<void> read_header() {
    if (in_.size() < sizeof(Elf64_Ehdr)) return declined("shorter than an ELF header");
    const auto h = read<Elf64_Ehdr>(0);
    if (std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0 || h.e_ident[EI_CLASS] != ELFCLASS64 ||
        h.e_ident[EI_DATA] != ELFDATA2LSB || h.e_type != ET_REL || h.e_machine != EM_X86_64) {
      return declined("not an x86-64 ELF64 relocatable object");
    }
    if (h.e_shentsize != sizeof(Elf64_Shdr) || h.e_shnum == 0 || h.e_shstrndx >= h.e_shnum ||
        !within(h.e_shoff, uint64_t{h.e_shnum} * sizeof(Elf64_Shdr), in_.size())) {
      return declined("bad section header table");
    }
    sections_.resize(h.e_shnum);
    for (size_t i = 0; i < sections_.size(); ++i) {
      sections_[i] = read<Elf64_Shdr>(h.e_shoff + i * sizeof(Elf64_Shdr));
      const Elf64_Shdr& s = sections_[i];
      if (s.sh_type != SHT_NOBITS && s.sh_type != SHT_NULL &&
          !within(s.sh_offset, s.sh_size, in_.size())) {
        return declined("section " + std::to_string(i) + " lies outside the object");
      }
    }
    if (sections_[h.e_shstrndx].sh_type != SHT_STRTAB) return declined("bad section names");
    names_ = &sections_[h.e_shstrndx];
    return {};
  }

  Result<void> lay_out() {
    placed_.resize(sections_.size());
    uint64_t end = 0;
    for (size_t i = 0; i < sections_.size(); ++i) {
      const Elf64_Shdr& s = sections_[i];
      if ((s.sh_flags & SHF_ALLOC) == 0) continue;
      std::optional<std::string_view> name = name_in(*names_, s.sh_name);
      if (!name) return declined("bad section name");
      // Unwind tables: never used (no exception unwinds through compiled frames).
      if (s.sh_type == SHT_X86_64_UNWIND || *name == ".eh_frame") continue;
      if (s.sh_type != SHT_PROGBITS && s.sh_type != SHT_NOBITS)
        return declined("section " + std::string(*name) + " of type " + std::to_string(s.sh_type));
      if ((s.sh_flags & (SHF_WRITE | SHF_TLS)) != 0)
        return declined("writable or thread-local section " + std::string(*name));
      // Zero-filled sections take no bytes of the object: bounded by its size, so that a
      // damaged header cannot map a gigabyte (LLVM's objects have none).
      if (s.sh_type == SHT_NOBITS && s.sh_size > in_.size())
        return declined("zero-filled section larger than the object");
      const uint64_t align = s.sh_addralign == 0 ? 1 : s.sh_addralign;
      if ((align & (align - 1)) != 0 || align > kMaxAlign)
        return declined("alignment of section " + std::string(*name));
      end = (end + align - 1) & ~(align - 1);
      if (s.sh_size > ElfImage::kMaxImageBytes - end) return declined("image too large");
      placed_[i] = Placed{true, end};
      end += s.sh_size;
    }
    size_ = end;  // 0 for a module without functions: one page is still mapped
    return {};
  }

  Result<void> read_symbols() {
    for (size_t i = 0; i < sections_.size(); ++i) {
      if (sections_[i].sh_type != SHT_SYMTAB) continue;
      if (symtab_ != nullptr) return declined("two symbol tables");
      symtab_ = &sections_[i];
      symtab_index_ = i;
    }
    if (symtab_ == nullptr) return declined("no symbol table");
    if (symtab_->sh_entsize != sizeof(Elf64_Sym) || symtab_->sh_size % sizeof(Elf64_Sym) != 0 ||
        symtab_->sh_link >= sections_.size() || sections_[symtab_->sh_link].sh_type != SHT_STRTAB) {
      return declined("bad symbol table");
    }
    const Elf64_Shdr& strings = sections_[symtab_->sh_link];
    const uint64_t count = symtab_->sh_size / sizeof(Elf64_Sym);
    resolved_.resize(count);
    for (uint64_t i = 1; i < count; ++i) {
      const auto sym = read<Elf64_Sym>(symtab_->sh_offset + i * sizeof(Elf64_Sym));
      Resolved& r = resolved_[i];
      if (sym.st_shndx == SHN_UNDEF) {
        std::optional<std::string_view> name = name_in(strings, sym.st_name);
        if (!name) return declined("bad symbol name");
        if (name->empty()) continue;
        const uint64_t address = resolve_(*name);
        if (address == 0) return declined("unknown symbol " + std::string(*name));
        r = Resolved{true, false, address};
      } else if (sym.st_shndx == SHN_ABS) {
        r = Resolved{true, false, sym.st_value};
      } else if (sym.st_shndx >= SHN_LORESERVE || sym.st_shndx >= sections_.size()) {
        return declined("symbol " + std::to_string(i) + " in section " +
                        std::to_string(sym.st_shndx));
      } else if (placed_[sym.st_shndx].loaded) {
        const Elf64_Shdr& s = sections_[sym.st_shndx];
        if (sym.st_value > s.sh_size || sym.st_size > s.sh_size - sym.st_value)
          return declined("symbol " + std::to_string(i) + " outside its section");
        r = Resolved{true, true, placed_[sym.st_shndx].offset + sym.st_value};
      }  // else in a section left out: unusable by a relocation of loaded code
    }
    return {};
  }

  Result<void> map() {
    const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t bytes = std::max(page, (size_ + page - 1) & ~(page - 1));
    void* at = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (at == MAP_FAILED) return declined("cannot map " + std::to_string(bytes) + " bytes");
    image_->base_ = at;
    image_->size_ = bytes;
    auto* base = static_cast<uint8_t*>(at);
    for (size_t i = 0; i < sections_.size(); ++i) {
      if (placed_[i].loaded && sections_[i].sh_type == SHT_PROGBITS) {
        std::memcpy(base + placed_[i].offset, in_.data() + sections_[i].sh_offset,
                    sections_[i].sh_size);
      }
    }
    return {};
  }

  Result<void> relocate() {
    auto* base = static_cast<uint8_t*>(image_->base_);
    for (const Elf64_Shdr& rel : sections_) {
      if (rel.sh_type != SHT_RELA && rel.sh_type != SHT_REL) continue;
      if (rel.sh_info >= sections_.size()) return declined("relocations of no section");
      if (!placed_[rel.sh_info].loaded) continue;  // of a section left out (.eh_frame)
      const Elf64_Shdr& target = sections_[rel.sh_info];
      if (rel.sh_type == SHT_REL || target.sh_type == SHT_NOBITS)
        return declined("REL relocations or relocations of a NOBITS section");
      if (rel.sh_link != symtab_index_ || rel.sh_entsize != sizeof(Elf64_Rela) ||
          rel.sh_size % sizeof(Elf64_Rela) != 0) {
        return declined("bad relocation section");
      }
      const uint64_t section_at = placed_[rel.sh_info].offset;
      for (uint64_t k = 0; k < rel.sh_size / sizeof(Elf64_Rela); ++k) {
        const auto r = read<Elf64_Rela>(rel.sh_offset + k * sizeof(Elf64_Rela));
        const uint32_t type = ELF64_R_TYPE(r.r_info);
        const uint64_t index = ELF64_R_SYM(r.r_info);
        if (type == R_X86_64_NONE) continue;
        if (index >= resolved_.size() || (index != 0 && !resolved_[index].valid))
          return declined("relocation against symbol " + std::to_string(index));
        const Resolved& sym = resolved_[index];
        const uint64_t s = sym.in_image ? image_->base() + sym.value : sym.value;
        const uint64_t p = image_->base() + section_at + r.r_offset;
        const uint64_t value = s + static_cast<uint64_t>(r.r_addend);
        const unsigned width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
        if (!within(r.r_offset, width, target.sh_size))
          return declined("relocation outside its section");
        uint8_t* at = base + section_at + r.r_offset;
        switch (type) {
          case R_X86_64_64: store<uint64_t>(at, value); break;
          case R_X86_64_PC64: store<uint64_t>(at, value - p); break;
          case R_X86_64_PC32:
          case R_X86_64_PLT32: TRY(store_int32(at, static_cast<int64_t>(value - p))); break;
          case R_X86_64_32S: TRY(store_int32(at, static_cast<int64_t>(value))); break;
          case R_X86_64_32:
            if (value > std::numeric_limits<uint32_t>::max()) return declined("R_X86_64_32 range");
            store<uint32_t>(at, static_cast<uint32_t>(value));
            break;
          default: return declined("relocation type " + std::to_string(type));
        }
      }
    }
    return {};
  }

  template <typename T> static void store(uint8_t* at, T value) {
    std::memcpy(at, &value, sizeof value);
  }
  static Result<void> store_int32(uint8_t* at, int64_t value) {
    if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max())
      return declined("a 32-bit relocation does not reach its symbol");
    store<int32_t>(at, static_cast<int32_t>(value));
    return {};
  }

  // Every global or weak symbol defined in the image, by name (a name defined twice keeps the
  // first: the object came from one module, where LLVM never emits two).
  void export_symbols() {
    const Elf64_Shdr& strings = sections_[symtab_->sh_link];
    for (uint64_t i = 1; i < resolved_.size(); ++i) {
      if (!resolved_[i].in_image) continue;
      const auto sym = read<Elf64_Sym>(symtab_->sh_offset + i * sizeof(Elf64_Sym));
      const unsigned bind = ELF64_ST_BIND(sym.st_info);
      if (bind != STB_GLOBAL && bind != STB_WEAK) continue;
      std::optional<std::string_view> name = name_in(strings, sym.st_name);
      if (!name || name->empty()) continue;
      image_->symbols_.emplace(std::string(*name),
                               ElfImage::Symbol{image_->base() + resolved_[i].value, sym.st_size,
                                                ELF64_ST_TYPE(sym.st_info) == STT_FUNC});
    }
  }

  std::span<const uint8_t> in_;
  SymbolResolver resolve_;
  std::vector<Elf64_Shdr> sections_;
  const Elf64_Shdr* names_ = nullptr;
  std::vector<Placed> placed_;
  const Elf64_Shdr* symtab_ = nullptr;
  size_t symtab_index_ = 0;
  std::vector<Resolved> resolved_;
  uint64_t size_ = 0;
  std::unique_ptr<ElfImage> image_;
};

Result<std::unique_ptr<ElfImage>> ElfImage::load(std::span<const uint8_t> object,
                                                 SymbolResolver resolve) {
  return ElfLinker(object, resolve).run();
}

ElfImage::~ElfImage() {
  if (base_ != nullptr) ::munmap(base_, size_);
}

}  // namespace lunatic::codecache
