// NativeCode: assembling one from what a code generator made.
#include "native/native_code.hpp"

namespace lunatic::native {

NativeCode::NativeCode() = default;
NativeCode::~NativeCode() = default;

std::unique_ptr<NativeCode> NativeCode::assemble(Parts parts) {
  std::unique_ptr<NativeCode> code(new NativeCode);
  code->owner_ = std::move(parts.owner);
  code->typed_ = std::move(parts.typed);
  code->entries_ = std::move(parts.entries);
  code->osr_ = std::move(parts.osr);
  code->osr_points_ = std::move(parts.osr_points);
  code->stats_ = std::move(parts.stats);
  code->optimized_ = parts.optimized;
  return code;
}

NativeCode::OsrEntry NativeCode::prepare_osr(uint32_t defined_index, uint32_t safepoint) const {
  if (!owner_osr_) return osr_point(defined_index, safepoint) ? osr_entry(defined_index) : nullptr;
  const CodeOwner::Osr osr = owner_->osr(defined_index, true);
  return has_point(osr.points, safepoint) ? osr.entry : nullptr;
}

std::unique_ptr<NativeCode> NativeCode::adopt(std::unique_ptr<CodeOwner> owner,
                                              std::vector<void*> typed,
                                              std::vector<SlotEntry> entries, CompileStats stats) {
  std::unique_ptr<NativeCode> code = assemble(Parts{.owner = std::move(owner),
                                                    .typed = std::move(typed),
                                                    .entries = std::move(entries),
                                                    .osr = {},
                                                    .osr_points = {},
                                                    .stats = std::move(stats),
                                                    .optimized = false});
  code->owner_osr_ = code->owner_ != nullptr;
  return code;
}

}  // namespace lunatic::native
