// Erlang's external term format, host side: a bounded reader for what a peer sends (frames,
// control messages, the terms guests send on) and the pid encoding. Every read checks the
// bytes left; nesting is capped, so a hostile term costs at most its own size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lunatic::dist {

/// The version byte that starts every term in the external format.
inline constexpr uint8_t kEtfVersion = 131;
/// Deepest nesting of tuples, lists and maps a term may have.
inline constexpr uint32_t kMaxTermDepth = 512;

/// An Erlang pid: node name, id, serial, creation (NEW_PID_EXT's fields).
struct ErlangPid {
  std::string node;
  uint32_t num = 0;
  uint32_t serial = 0;
  uint32_t creation = 0;
  bool operator==(const ErlangPid&) const = default;
};

/// An Erlang reference (NEW_REFERENCE_EXT / NEWER_REFERENCE_EXT): node, creation, 1-5 words.
struct ErlangRef {
  std::string node;
  uint32_t creation = 0;
  std::vector<uint32_t> ids;
};

/// Reads terms from a span; every method returns false, and reads nothing more, when the
/// bytes are not what it expects or end too soon.
class EtfReader {
 public:
  explicit EtfReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t position() const { return pos_; }
  bool at_end() const { return pos_ == bytes_.size(); }
  /// The version byte (131).
  bool version();
  /// SMALL_TUPLE_EXT / LARGE_TUPLE_EXT: the arity.
  bool tuple_header(uint32_t& arity);
  /// SMALL_INTEGER_EXT / INTEGER_EXT, or SMALL_BIG_EXT within int64_t's range.
  bool integer(int64_t& value);
  /// NEW_FLOAT_EXT.
  bool float64(double& value);
  /// An atom in any of its four encodings, as UTF-8 (Latin-1 atoms converted).
  bool atom(std::string& name);
  /// NEW_PID_EXT or PID_EXT (whose creation byte becomes the creation).
  bool pid(ErlangPid& pid);
  /// NIL_EXT (count 0) or LIST_EXT's header (its elements follow, then its tail).
  bool list_header(uint32_t& count, bool& nil);
  /// STRING_EXT (how Erlang sends a list of integers 0..255): its bytes, one per element.
  bool string(std::span<const uint8_t>& bytes);
  /// BINARY_EXT: its bytes.
  bool binary(std::span<const uint8_t>& bytes);
  /// A reference (NEW_REFERENCE_EXT or NEWER_REFERENCE_EXT, at most 5 words).
  bool reference(ErlangRef& ref);
  /// One whole term (as skip()), handed back as its bytes (no version byte).
  bool raw(std::span<const uint8_t>& term);
  /// The tag of the next term (nothing read); false at the end.
  bool peek(uint8_t& tag) const;
  /// Skips one whole term of any type this format defines (ports, references, funs, bit
  /// binaries, bignums included).
  bool skip();

 private:
  bool skip(uint32_t depth);
  bool take(size_t n, std::span<const uint8_t>& out);
  bool u8(uint8_t& v);
  bool u16(uint16_t& v);
  bool u32(uint32_t& v);

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

/// Writes terms in the external format (no version byte unless version() is called).
class EtfWriter {
 public:
  EtfWriter& version();
  EtfWriter& tuple(uint32_t arity);
  /// SMALL_INTEGER_EXT, INTEGER_EXT (32-bit values) or SMALL_BIG_EXT (the rest of int64_t).
  EtfWriter& integer(int64_t value);
  EtfWriter& atom(std::string_view name);  ///< SMALL_ATOM_UTF8_EXT, cut at 255 bytes
  EtfWriter& pid(const ErlangPid& pid);
  EtfWriter& reference(const ErlangRef& ref);  ///< NEWER_REFERENCE_EXT
  EtfWriter& binary(std::span<const uint8_t> bytes);
  /// BINARY_EXT's header alone: `size` bytes must follow, written elsewhere.
  EtfWriter& binary_header(uint32_t size);
  EtfWriter& nil();
  EtfWriter& raw(std::span<const uint8_t> term);  ///< a term written elsewhere, as it is
  std::vector<uint8_t>& bytes() { return out_; }

 private:
  void u32(uint32_t v);
  std::vector<uint8_t> out_;
};

/// True if `bytes` is exactly one term with its version byte (what a message to a remote
/// process must carry).
bool is_one_term(std::span<const uint8_t> bytes);

/// The pid as a term, with its version byte (NEW_PID_EXT, node as SMALL_ATOM_UTF8_EXT).
std::vector<uint8_t> encode_pid(const ErlangPid& pid);

/// The pid of `bytes`, which must be exactly one pid term with its version byte.
std::optional<ErlangPid> decode_pid(std::span<const uint8_t> bytes);

}  // namespace lunatic::dist
