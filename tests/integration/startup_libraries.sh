#!/usr/bin/env bash
# The shared libraries every `lunatic` start loads: none of those only a feature needs (the
# observer's HTTP and distribution's crypto are header-only or loaded on use), since each costs
# every start milliseconds of relocations (docs/benchmarks.md, "Start-up: no HTTP or crypto
# library at load").   startup_libraries.sh LUNATIC
set -euo pipefail
needed=$(readelf -d "$1" | grep NEEDED)
echo "$needed"
if grep -E 'libcrypto|libssl|httplib|libz\.|brotli|LLVM' <<<"$needed"; then
  echo "error: lunatic loads a library at start that only a feature uses" >&2
  exit 1
fi
