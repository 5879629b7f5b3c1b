// read_module_file, load_module, report_load_error: the commands' common first step.
#include "cli/module_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace lunatic::cli {
namespace {

/// Larger files are refused before reading them into memory.
constexpr uint64_t kMaxModuleBytes = uint64_t{1} << 30;

}  // namespace

Result<std::vector<uint8_t>> read_module_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Error(Phase::Host, std::string("cannot open: ") + std::strerror(errno));
  std::streamoff size = in.tellg();
  if (size < 0) return Error(Phase::Host, "cannot read the file size");
  if (static_cast<uint64_t>(size) > kMaxModuleBytes) {
    return Error(Phase::Host, "file larger than 1 GiB");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    return Error(Phase::Host, "read failed");
  }
  return bytes;
}

Result<std::shared_ptr<const engine::CompiledModule>> load_module(const std::string& path) {
  std::vector<uint8_t> bytes = TRY(read_module_file(path));
  return engine::compile(bytes);
}

int report_load_error(const std::string& file, const Error& error, int code) {
  std::fprintf(stderr, "error: %s: %s\n", file.c_str(), error.to_string().c_str());
  return code;
}

}  // namespace lunatic::cli
