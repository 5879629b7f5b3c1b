// Build IDs (of loaded objects through dl_iterate_phdr, of a module's file through its program
// headers) and the host CPU's CPUID words.
#include "codecache/build_identity.hpp"

#include <cpuid.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <system_error>

#include "codecache/object_cache.hpp"
#include "native/linked_optimizer.hpp"

namespace lunatic::codecache {
namespace {

// The GNU build ID in the notes at [at, end), or empty.
std::string build_id_in_notes(const uint8_t* at, const uint8_t* end) {
  while (end - at >= static_cast<ptrdiff_t>(sizeof(ElfW(Nhdr)))) {
    ElfW(Nhdr) note{};
    std::memcpy(&note, at, sizeof note);
    const uint8_t* name = at + sizeof note;
    const uint64_t name_bytes = (uint64_t{note.n_namesz} + 3) & ~uint64_t{3};
    const uint64_t desc_bytes = (uint64_t{note.n_descsz} + 3) & ~uint64_t{3};
    if (name_bytes + desc_bytes > static_cast<uint64_t>(end - name)) break;
    const uint8_t* desc = name + name_bytes;
    if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
      return to_hex(std::span<const uint8_t>(desc, note.n_descsz));
    }
    at = desc + desc_bytes;
  }
  return {};
}

struct BuildIdSearch {
  uintptr_t address;
  std::string id;
};

int find_build_id(dl_phdr_info* info, size_t, void* arg) {
  auto& search = *static_cast<BuildIdSearch*>(arg);
  bool holds = false;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum && !holds; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    holds = ph.p_type == PT_LOAD && search.address - start < ph.p_memsz;
  }
  if (!holds) return 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum && search.id.empty(); ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* at = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
    search.id = build_id_in_notes(at, at + ph.p_memsz);
  }
  return 1;
}

std::string build_id_of(const void* address) {
  BuildIdSearch search{reinterpret_cast<uintptr_t>(address), {}};
  dl_iterate_phdr(&find_build_id, &search);
  return search.id.empty() ? std::string("none") : search.id;
}

bool read_at(int fd, void* out, size_t size, uint64_t offset) {
  return ::pread(fd, out, size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size);
}

// The build ID in an ELF file's PT_NOTE segments (any malformed header: "none").
std::string build_id_of_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "none";
  std::string id;
  ElfW(Ehdr) header{};
  if (read_at(fd, &header, sizeof header, 0) && std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 &&
      header.e_ident[EI_CLASS] == ELFCLASS64 && header.e_phentsize == sizeof(ElfW(Phdr)) &&
      header.e_phnum <= 64) {
    for (ElfW(Half) i = 0; i < header.e_phnum && id.empty(); ++i) {
      ElfW(Phdr) ph{};
      if (!read_at(fd, &ph, sizeof ph, header.e_phoff + i * sizeof ph)) break;
      if (ph.p_type != PT_NOTE || ph.p_filesz > 4096) continue;
      uint8_t notes[4096];
      if (!read_at(fd, notes, ph.p_filesz, ph.p_offset)) break;
      id = build_id_in_notes(notes, notes + ph.p_filesz);
    }
  }
  ::close(fd);
  return id.empty() ? std::string("none") : id;
}

std::string translator_build_id() {
  if (&lunatic_optimizer_create != nullptr)
    return build_id_of(reinterpret_cast<const void*>(&lunatic_optimizer_create));
  std::error_code ec;
  for (const std::filesystem::path& path : llvm_module_candidates()) {
    if (std::filesystem::exists(path, ec)) return build_id_of_file(path);
  }
  return "none";
}

}  // namespace

std::vector<std::filesystem::path> llvm_module_candidates() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const std::filesystem::path dir = exe.parent_path();
  return {dir / native::kOptimizerModule,
          dir.parent_path() / "lib" / "lunatic" / native::kOptimizerModule};
}

const std::string& build_identity() {
  static const std::string id =
      build_id_of(reinterpret_cast<const void*>(&native::lunatic_jit_safepoint)) + " " +
      translator_build_id();
  return id;
}

const std::string& host_cpu_identity() {
  static const std::string id = [] {
    std::string out;
    auto word = [&](uint32_t v) {
      char hex[10];
      std::snprintf(hex, sizeof hex, " %08x", v);
      out += hex;
    };
    unsigned a = 0, b = 0, c = 0, d = 0;
    __cpuid(0, a, b, c, d);
    const unsigned max_leaf = a;
    out.append(reinterpret_cast<const char*>(&b), 4);  // the vendor: EBX, EDX, ECX
    out.append(reinterpret_cast<const char*>(&d), 4);
    out.append(reinterpret_cast<const char*>(&c), 4);
    __cpuid(1, a, b, c, d);
    word(a);  // family, model, stepping (EBX holds the APIC ID: differs between cores)
    word(c);
    word(d);
    const bool osxsave = (c >> 27) & 1;
    for (const unsigned sub : {0u, 1u}) {
      if (max_leaf < 7) break;
      __cpuid_count(7, sub, a, b, c, d);
      word(a);
      word(b);
      word(c);
      word(d);
    }
    if (max_leaf >= 0xD) {
      __cpuid_count(0xD, 1, a, b, c, d);
      word(a);
    }
    __cpuid(0x80000000, a, b, c, d);
    const unsigned max_extended = a;
    if (max_extended >= 0x80000001) {
      __cpuid(0x80000001, a, b, c, d);
      word(c);
      word(d);
    }
    if (max_extended >= 0x80000008) {
      __cpuid(0x80000008, a, b, c, d);
      word(b);
    }
    if (osxsave) {
      uint32_t lo = 0, hi = 0;
      __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      word(lo);
      word(hi);
    }
    return out;
  }();
  return id;
}

}  // namespace lunatic::codecache
