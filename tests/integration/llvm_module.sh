#!/usr/bin/env bash
# The LLVM tier's module (lunatic_llvm.so) missing or broken: `lunatic run --tier compiled`
# warns once, on one line, and runs the module in the baseline tier with the right result;
# `lunatic compile` fails with the reason. A copy of the executable without its module stands
# for an install that lost it.
#   llvm_module.sh LUNATIC WORK_DIR WASM EXPECTED_STDOUT
set -euo pipefail
lunatic=$1
work=$2
wasm=$3
expected=$4

rm -rf "$work"
mkdir -p "$work/bin"
cp "$lunatic" "$work/bin/lunatic"

run_case() {  # run_case NAME WHY: runs, checks the output and the one warning
  local out err
  out=$(LUNATIC_CACHE_DIR="$work/cache" "$work/bin/lunatic" run --tier compiled "$wasm" \
        2>"$work/stderr") || { echo "FAIL ($1): exit $?"; cat "$work/stderr"; exit 1; }
  err=$(cat "$work/stderr")
  if [[ $out != "$expected" ]]; then
    echo "FAIL ($1): printed: $out"
    exit 1
  fi
  if [[ $(grep -c "the LLVM tier is not available" <<<"$err") != 1 || $err != *"$2"* ]]; then
    echo "FAIL ($1): expected one warning with \"$2\", stderr: $err"
    exit 1
  fi
  echo "ok $1: $err"
}

run_case missing "lunatic_llvm.so is not next to the executable"
echo "not an ELF file" >"$work/bin/lunatic_llvm.so"
run_case broken "bin/lunatic_llvm.so: "
if "$work/bin/lunatic" compile "$wasm" >"$work/compile.out" 2>&1; then
  echo "FAIL (compile): succeeded without the LLVM tier"
  exit 1
fi
grep -q "the LLVM tier is not available" "$work/compile.out" ||
  { echo "FAIL (compile): $(cat "$work/compile.out")"; exit 1; }
echo "ok compile: $(cat "$work/compile.out")"
