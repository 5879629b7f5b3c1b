// What pins a code cache entry to this runtime and this machine, known without loading LLVM:
// the GNU build IDs of the executable and of the LLVM tier (linked in, or its module's file),
// and the host CPU as CPUID describes it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lunatic::codecache {

/// Where the LLVM tier's module, lunatic_llvm.so, may be: next to the executable (the build
/// tree), then where the install puts it (bin/lunatic, lib/lunatic/lunatic_llvm.so). Empty
/// when /proc/self/exe cannot be read.
std::vector<std::filesystem::path> llvm_module_candidates();

/// "<executable's build ID> <LLVM tier's build ID>" in hex ("none" for one without). The tier
/// is the object that defines lunatic_optimizer_create when the program links it, else the
/// first lunatic_llvm.so of llvm_module_candidates(), read from its file (so the answer is the
/// same before and after the module is loaded). Computed once per process.
const std::string& build_identity();

/// The host CPU as the code generator sees it: vendor, family/model/stepping and every CPUID
/// feature word LLVM's host detection reads (leaves 1, 7, 0xD, 0x80000001, 0x80000008) and
/// the OS-enabled register state (XCR0), as one line of hex. Computed once per process.
const std::string& host_cpu_identity();

}  // namespace lunatic::codecache
