#!/usr/bin/env bash
# The newcomer's command: installs the dependencies, builds lunatic and the example guests
# (Release), runs the hello example, then the mission demo (examples/demo), showing each
# command it runs.
#   bash scripts/demo.sh
# Environment: LUNATIC_BUILD_DIR (default build-release), LUNATIC_JOBS (default: all cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${LUNATIC_BUILD_DIR:-build-release}
jobs=${LUNATIC_JOBS:-$(nproc)}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1/5 Installing the build dependencies"
show bash scripts/setup.sh

step "2/5 Configuring a Release build in $build/"
show cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLUNATIC_BUILD_TESTS=OFF

step "3/5 Building the lunatic binary and the example guests (clang --target=wasm32-wasi)"
show cmake --build "$build" --target lunatic lunatic_examples -j "$jobs"
lunatic="$build/tools/lunatic/lunatic"
examples="$build/examples"
for guest in hello demo untrusted chat; do
  if [[ ! -f $examples/$guest.wasm ]]; then
    echo "demo: $examples/$guest.wasm was not built: clang cannot build wasm32-wasi programs" \
         "(C++ needs libc++-14-dev-wasm32; see the cmake output)" >&2
    exit 1
  fi
done

step "4/5 A first process: examples/hello/hello.c, a plain C program built for wasm32-wasi"
show "$lunatic" version
show "$lunatic" run "$examples/hello.wasm" Ada Lovelace

step "5/5 The demo: examples/demo (C++ SDK), one module that shows the mission in four acts"
cat <<'TEXT'
  Act 1  100,000 processes spawned, each replies: how long it takes (this machine's figure)
  Act 2  a worker crashes and its supervisor restarts it (one_for_one), the rest carries on
  Act 3  an untrusted module (examples/sandbox/untrusted.c) run in environments that stop it
         at their memory, fuel, host-namespace and process limits, with the runtime's errors
  Act 4  a TCP chat server (examples/chat) on loopback with three scripted client processes;
         one is killed mid-session, the room notices, the server carries on
  Lines starting with "lunatic: warning:" are the runtime's log (stderr) of a process that
  failed; LUNATIC_LOG=debug shows every process's end, LUNATIC_LOG=off none.
  The untrusted module's folder is preopened for the demo as /sandbox (--dir).
TEXT
show "$lunatic" run --dir "$examples:/sandbox" "$examples/demo.wasm"

printf '\nDone. Next: %s run %s/chat.wasm (then nc localhost 4000), %s run --help, docs/sdk.md\n' \
  "$lunatic" "$examples" "$lunatic"
