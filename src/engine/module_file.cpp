// read_module_file and compile_file.
#include "engine/module_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace lunatic::engine {

Result<std::vector<uint8_t>> read_module_file(const std::string& path) {
  // An ifstream opens a directory, whose "size" is then nonsense: say what it is instead.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error(Phase::Host, "is a directory");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Error(Phase::Host, std::string("cannot open: ") + std::strerror(errno));
  std::streamoff size = in.tellg();
  if (size < 0) return Error(Phase::Host, "cannot read the file size");
  if (static_cast<uint64_t>(size) > kMaxModuleFileBytes) {
    return Error(Phase::Host, "file larger than 1 GiB");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    return Error(Phase::Host, "read failed");
  }
  return bytes;
}

Result<std::shared_ptr<const CompiledModule>> compile_file(const std::string& path,
                                                           const CompileConfig& config) {
  std::vector<uint8_t> bytes = TRY(read_module_file(path));
  return compile(bytes, config);
}

}  // namespace lunatic::engine
