// placeholder, replaced by the interpreter: its code format defines CompiledFunction here.
// This stand-in only lets the runtime branch build; take the interpreter's version on merge.
#pragma once

namespace lunatic::engine {

struct CompiledFunction {};

}  // namespace lunatic::engine
