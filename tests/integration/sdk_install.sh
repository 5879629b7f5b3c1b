#!/usr/bin/env bash
# Installs lunatic from BUILD_DIR into a fresh prefix, then configures, builds and runs, against
# that install tree:
#  - a user's guest project (tests/sdk_project), both ways: with the toolchain file, and as a
#    host project with find_package(Lunatic);
#  - a user's host program embedding lunatic (tests/embed_project, which builds the sources of
#    EXAMPLES_DIR, examples/embedding), with lunatic::runtime and lunatic::engine.
#   sdk_install.sh BUILD_DIR PROJECT_DIR WORK_DIR EMBED_PROJECT_DIR EXAMPLES_DIR
set -euo pipefail
build=$1
project=$2
work=$3
embed_project=$4
examples=$5

rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
prefix=$work/prefix
for f in bin/lunatic lib/lunatic/lunatic_llvm.so include/lunatic/process.h include/lunatic/lunatic.hpp \
         lib/cmake/lunatic/LunaticGuest.cmake lib/cmake/lunatic/wasm32-wasi-toolchain.cmake \
         lib/cmake/lunatic/LunaticConfig.cmake lib/cmake/lunatic/Platform/WASI.cmake \
         lib/cmake/lunatic/LunaticTargets.cmake include/lunatic-host/lunatic/runtime.hpp \
         include/lunatic-host/lunatic/engine.hpp include/lunatic-host/lunatic/result.hpp; do
  [[ -e $prefix/$f ]] || { echo "FAIL: not installed: $f"; exit 1; }
done
# The host headers are the public ones and nothing else: no layer's header (src/) ships.
extra=$(cd "$prefix/include/lunatic-host" && find . -type f ! -path './lunatic/*.hpp')
if [[ -n $extra ]]; then
  echo "FAIL: installed beside the public headers: $(head -3 <<<"$extra")"
  exit 1
fi

check() {  # check NAME WASM: runs the guest with the installed lunatic
  local out
  out=$("$prefix/bin/lunatic" run "$2" Ada)
  if [[ $out != "HELLO, ADA!" ]]; then
    echo "FAIL ($1): guest printed: $out"
    exit 1
  fi
  echo "ok $1: $out"
}

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

cmake -S "$project" -B "$work/toolchain" "${generator[@]}" \
  -DCMAKE_TOOLCHAIN_FILE="$prefix/lib/cmake/lunatic/wasm32-wasi-toolchain.cmake" >"$work/toolchain.log"
cmake --build "$work/toolchain" >>"$work/toolchain.log"
check toolchain "$work/toolchain/greeter.wasm"

cmake -S "$project" -B "$work/host" "${generator[@]}" -DCMAKE_PREFIX_PATH="$prefix" >"$work/host.log"
cmake --build "$work/host" >>"$work/host.log"
check host "$work/host/greeter.wasm"

# The installed lunatic finds its LLVM tier in ../lib/lunatic and compiles with it.
err=$(LUNATIC_LOG=debug LUNATIC_CACHE_DIR="$work/cache" "$prefix/bin/lunatic" run --tier compiled \
      "$work/host/greeter.wasm" Ada 2>&1 >/dev/null)
if [[ $err != *"compiled tier: "* || $err == *"not available"* ]]; then
  echo "FAIL (llvm tier): the installed lunatic did not compile with LLVM: $err"
  exit 1
fi
echo "ok llvm tier: $(grep -m1 'compiled tier: ' <<<"$err")"

# The host program: its output is checked in full by integration.embed_runtime in the build
# tree; here it must build from the install tree alone and run the same way.
cmake -S "$embed_project" -B "$work/embed" "${generator[@]}" -DCMAKE_PREFIX_PATH="$prefix" \
  -DLUNATIC_EXAMPLES="$examples" >"$work/embed.log"
cmake --build "$work/embed" >>"$work/embed.log" 2>&1 || { cat "$work/embed.log"; exit 1; }
out=$("$work/embed/embed_runtime" "$work/embed/job.wasm")
expected="job 40: no result, ended trap: out of fuel"
if [[ $out != *"$expected"* ]]; then
  echo "FAIL (embed_runtime): printed: $out"
  exit 1
fi
echo "ok embed_runtime: $(head -1 <<<"$out")"
out=$("$work/embed/embed_engine")
if [[ $out != *"add(2, 40) = 42"* ]]; then
  echo "FAIL (embed_engine): printed: $out"
  exit 1
fi
echo "ok embed_engine: $(head -1 <<<"$out")"
