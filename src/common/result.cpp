// Printing of errors.
#include "common/result.hpp"

#include <cstdio>

namespace lunatic {

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::Decode: return "decode error";
    case Phase::Validate: return "validation error";
    case Phase::Link: return "link error";
    case Phase::Instantiate: return "instantiation error";
    case Phase::Trap: return "trap";
    case Phase::Host: return "host error";
    case Phase::Usage: return "usage error";
    case Phase::Unsupported: return "unsupported feature";
  }
  return "error";
}

std::string Error::to_string() const {
  std::string out = phase_name(phase);
  if (offset != kNoOffset) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " at offset 0x%llx", static_cast<unsigned long long>(offset));
    out += buf;
  }
  out += ": ";
  out += message;
  if (!context.empty()) out += " (" + context + ")";
  return out;
}

}  // namespace lunatic
