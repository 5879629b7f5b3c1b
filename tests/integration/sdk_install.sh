#!/usr/bin/env bash
# Installs lunatic from BUILD_DIR into a fresh prefix, then configures, builds and runs a
# user's guest project (tests/sdk_project) against that install tree, both ways: with the
# toolchain file, and as a host project with find_package(Lunatic).
#   sdk_install.sh BUILD_DIR PROJECT_DIR WORK_DIR
set -euo pipefail
build=$1
project=$2
work=$3

rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
prefix=$work/prefix
for f in bin/lunatic include/lunatic/process.h include/lunatic/lunatic.hpp \
         lib/cmake/lunatic/LunaticGuest.cmake lib/cmake/lunatic/wasm32-wasi-toolchain.cmake \
         lib/cmake/lunatic/LunaticConfig.cmake lib/cmake/lunatic/Platform/WASI.cmake; do
  [[ -e $prefix/$f ]] || { echo "FAIL: not installed: $f"; exit 1; }
done

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
