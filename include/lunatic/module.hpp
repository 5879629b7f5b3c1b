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

/// The WebAssembly proposals compile() lets a module use (see docs/design.md, "Feature set").
/// The default is Wasm 2.0: every member true. A module that uses a disabled proposal fails
/// with Phase::Decode (at the offset of the instruction, type or section) or Phase::Validate
/// (several tables, a mutable global imported or exported): "SIMD is disabled (feature simd)".
/// reference_types needs bulk_memory (it extends its table instructions): one without the
/// other fails compile() with Phase::Usage. Proposals after 2.0 will join as members that
/// default to false.
struct WasmFeatures {
  bool simd = true;                     ///< fixed-width SIMD (v128)
  bool bulk_memory = true;              ///< memory.copy/fill/init, passive segments, data count
  bool reference_types = true;          ///< funcref/externref values, table.*, several tables
  bool multi_value = true;              ///< several results, block parameters
  bool sign_extension = true;           ///< i32.extend8_s and the other sign extensions
  bool saturating_float_to_int = true;  ///< i32.trunc_sat_f32_s and the other trunc_sat
  bool mutable_globals = true;          ///< importing and exporting mutable globals
};

/// A handle to a compiled module: copies share it. Thread-safe.
class Module {
 public:
  /// An empty handle (spawning it fails); compile() makes real ones.
  Module() = default;
  /// Whether this handle holds a module.
  explicit operator bool() const { return impl_ != nullptr; }

  /// Decodes, validates and compiles `bytes` (a .wasm binary). Errors: Phase::Decode
  /// ("decode error at offset 0x8: ..."), Phase::Validate, Phase::Unsupported. `features`:
  /// the proposals the module may use.
  static Result<Module> compile(std::span<const uint8_t> bytes, const WasmFeatures& features = {});
  /// compile() of the file at `path`; Phase::Host "cannot open: PATH" if it cannot be read.
  static Result<Module> compile_file(const std::string& path, const WasmFeatures& features = {});

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
inline Result<Module> compile(std::span<const uint8_t> bytes, const WasmFeatures& features = {}) {
  return Module::compile(bytes, features);
}
/// Module::compile_file.
inline Result<Module> compile_file(const std::string& path, const WasmFeatures& features = {}) {
  return Module::compile_file(path, features);
}

}  // namespace lunatic
