// Module: a compiled WebAssembly module (decoded, validated, lowered once), immutable and
// shared by every instance and process made from it, on any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <lunatic/result.hpp>
#include <lunatic/value.hpp>

namespace lunatic {

namespace detail {
struct Access;
}

/// A handle to a compiled module: copies share it. Thread-safe.
class Module {
 public:
  /// An empty handle (spawning it fails); compile() makes real ones.
  Module() = default;
  /// Whether this handle holds a module.
  explicit operator bool() const { return impl_ != nullptr; }

  /// Decodes, validates and compiles `bytes` (a .wasm binary). Errors: Phase::Decode
  /// ("decode error at offset 0x8: ..."), Phase::Validate, Phase::Unsupported.
  static Result<Module> compile(std::span<const uint8_t> bytes);
  /// compile() of the file at `path`; Phase::Host "cannot open: PATH" if it cannot be read.
  static Result<Module> compile_file(const std::string& path);

  /// One export of the module.
  struct Export {
    std::string name{};
    enum class Kind : uint8_t { Function, Table, Memory, Global } kind = Kind::Function;
  };
  /// The module's exports, in the module's order.
  std::vector<Export> exports() const;
  /// The parameter and result types of the exported function `name`; false if there is none.
  bool export_signature(const std::string& name, std::vector<ValType>& params,
                        std::vector<ValType>& results) const;

  struct Impl;  ///< defined by the implementation

 private:
  friend struct detail::Access;
  explicit Module(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

/// Module::compile.
inline Result<Module> compile(std::span<const uint8_t> bytes) { return Module::compile(bytes); }
/// Module::compile_file.
inline Result<Module> compile_file(const std::string& path) { return Module::compile_file(path); }

}  // namespace lunatic
