#!/usr/bin/env bash
# The newcomer's command: installs the dependencies, builds lunatic and the example guests
# (Release), then runs the hello example, showing each command it runs.
#   bash scripts/demo.sh
# Environment: LUNATIC_BUILD_DIR (default build-release), LUNATIC_JOBS (default: all cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${LUNATIC_BUILD_DIR:-build-release}
jobs=${LUNATIC_JOBS:-$(nproc)}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1/4 Installing the build dependencies"
show bash scripts/setup.sh

step "2/4 Configuring a Release build in $build/"
show cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLUNATIC_BUILD_TESTS=OFF

step "3/4 Building the lunatic binary and the example guests (clang --target=wasm32-wasi)"
show cmake --build "$build" --target lunatic lunatic_examples -j "$jobs"
lunatic="$build/tools/lunatic/lunatic"
hello="$build/examples/hello.wasm"
if [[ ! -f $hello ]]; then
  echo "demo: $hello was not built: clang cannot build wasm32-wasi programs (see the cmake output)" >&2
  exit 1
fi

step "4/4 Running examples/hello/hello.c as a lunatic process"
show "$lunatic" version
show "$lunatic" run "$hello" Ada Lovelace

printf '\nDone. Try: %s run --help\n' "$lunatic"
