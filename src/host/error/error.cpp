// lunatic::error: error ids (ErrorResource entries of the caller's HandleTable) to text.
#include "host/error/error.hpp"

#include "binding/guest_memory.hpp"
#include "host/shared/resources.hpp"

namespace lunatic::host::error {
namespace {

using binding::CallContext;
using binding::GuestMutSpan;
using binding::HostResult;
using shared::ErrorResource;

/// Arguments: an error id. Returns: the byte length of its message (UTF-8, no NUL).
/// Traps: unknown error id.
HostResult<int32_t> string_size(CallContext& ctx, uint64_t id) {
  auto error = shared::lookup<ErrorResource>(ctx, "error", id);
  if (!error.ok()) return std::move(error).trap();
  return static_cast<int32_t>(error.value()->message().size());
}

/// Arguments: an error id, the address of string_size(id) bytes. Writes the message there.
/// Traps: unknown error id, the range outside memory.
HostResult<void> to_string(CallContext& ctx, uint64_t id, uint32_t address) {
  auto error = shared::lookup<ErrorResource>(ctx, "error", id);
  if (!error.ok()) return std::move(error).trap();
  const std::string& text = error.value()->message();
  auto out =
      GuestMutSpan<uint8_t>::at(ctx, address, static_cast<uint32_t>(text.size()), "argument 2");
  if (!out.ok()) return std::move(out).trap();
  std::copy(text.begin(), text.end(), out.value().mut_bytes().begin());
  return {};
}

/// Arguments: an error id. Removes it. Traps: unknown error id.
HostResult<void> drop(CallContext& ctx, uint64_t id) {
  return shared::drop<ErrorResource>(ctx, "error", id);
}

}  // namespace

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName)
      .define("string_size", &string_size)
      .define("to_string", &to_string)
      .define("drop", &drop);
}

}  // namespace lunatic::host::error
