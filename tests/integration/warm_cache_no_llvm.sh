#!/usr/bin/env bash
# A warm code cache runs compiled code without loading the LLVM tier (issue 16's start-up):
# after `lunatic compile`, `run --tier compiled` and `run --tier auto` print what a cold run
# prints, say that the code came from the cache without LLVM, and never open lunatic_llvm.so
# (LD_DEBUG=files lists every object the dynamic loader opens, dlopen included).
#   warm_cache_no_llvm.sh LUNATIC WORK_DIR WASM [ARGS...]
set -euo pipefail
lunatic=$1
work=$2
wasm=$3
shift 3

rm -rf "$work"
mkdir -p "$work"
export LUNATIC_CACHE_DIR="$work/cache"
cold=$(LUNATIC_CACHE_DIR="$work/cold-cache" "$lunatic" run --tier compiled "$wasm" "$@")
"$lunatic" compile "$wasm" >/dev/null
for tier in compiled auto; do
  out=$(LD_DEBUG=files LUNATIC_LOG=debug "$lunatic" run --tier "$tier" "$wasm" "$@" \
        2>"$work/stderr") || { echo "FAIL ($tier): exit $?"; cat "$work/stderr"; exit 1; }
  if [[ $out != "$cold" ]]; then
    echo "FAIL ($tier): printed $out, a cold run printed $cold"
    exit 1
  fi
  if grep -q "lunatic_llvm.so" "$work/stderr"; then
    echo "FAIL ($tier): a warm run loaded the LLVM tier:"
    grep "lunatic_llvm.so" "$work/stderr"
    exit 1
  fi
  grep -q "loaded from the cache in .*, without LLVM" "$work/stderr" ||
    { echo "FAIL ($tier): no cache hit"; grep "lunatic: " "$work/stderr"; exit 1; }
  echo "ok $tier: $(grep -o "compiled tier: .*without LLVM" "$work/stderr")"
done
