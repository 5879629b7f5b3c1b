#!/usr/bin/env bash
# THE test command (CI runs it through .ci/run): installs packages, checks the formatting
# (clang-format), builds into build/ (the runtime, the guests, the spec runner), runs the spec
# suite in the three tiers and the integration tests, the integration tests again with the
# compiled tier, then builds again with ASan+UBSan into build-asan/, the unit tests included,
# and runs the unit, regression, spec and integration tests there (LeakSanitizer checks every
# guest run, kills included), the runtime, networking, host-namespace and distribution tests
# under TSan, and a short fuzz run (the tiers compared). Stops at the first failing step.
# What would repeat is left out, to keep CI short: the unit tests run once, in the ASan+UBSan
# build (the plain build would run the same code again), and the sanitizer builds compile at
# -O1 with line tables only (ASan's advice; it nearly halves their compile time).
set -Eeuo pipefail  # -E: the ERR trap fires inside run_step too
cd "$(dirname "${BASH_SOURCE[0]}")/.."

start=$SECONDS
jobs=$(nproc)
# The compiled tier's code cache of this run: in the build tree, not the user's ~/.cache.
export LUNATIC_CACHE_DIR="$PWD/build/code-cache"
rm -rf "$LUNATIC_CACHE_DIR"
step=""
failed=""
on_error() {
  [[ -n $failed ]] && return  # the trap fires in run_step and again in its caller
  failed=1
  echo "test.sh: FAILED at step \"$step\" after $((SECONDS - start)) s"
}
trap on_error ERR

run_step() {
  step=$1
  shift
  echo "=== test.sh: $step (at $((SECONDS - start)) s)"
  "$@"
}

run_step "setup" bash scripts/setup.sh
run_step "format (clang-format)" bash scripts/check_format.sh
# LUNATIC_REQUIRE_GUESTS: without the wasm32-wasi toolchain the configure fails, instead of
# quietly leaving out every guest test.
run_step "configure" cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLUNATIC_REQUIRE_GUESTS=ON -DLUNATIC_BUILD_UNIT_TESTS=OFF
run_step "build" cmake --build build -j "$jobs"
run_step "headers compile on their own" cmake --build build -j "$jobs" --target header_check
run_step "ctest (spec + integration)" ctest --test-dir build --output-on-failure -j "$jobs"
# The one unit test whose figure only the plain build can check: the resident memory stays
# flat over 100,000 process lives (the sanitizers keep freed memory).
run_step "build unit_runtime" cmake --build build -j "$jobs" --target unit_runtime
run_step "flat resident memory" build/tests/unit/unit_runtime \
  --gtest_filter='SlotReuse.SpawnAndExitCyclesKeepResidentMemoryFlat'
# The guests' integration tests again, every module run by the compiled tier. LLVM at -O0
# here (ten times faster to compile): the spec suite and the unit tests cover the optimised
# code; this covers compiled code in the runtime (parking, kills, sockets, limits).
run_step "integration tests, compiled tier" env LUNATIC_TIER=compiled LUNATIC_JIT_OPT=0 \
  ctest --test-dir build --output-on-failure -L integration \
  -E 'debian_minigzip|sdk_install|embed_' -j "$jobs"

# ASan+UBSan: the whole build again with the unit tests; the unit, spec and integration tests.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
sanitizer_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")
run_step "configure asan" cmake -S . -B build-asan -G Ninja "${sanitizer_flags[@]}" \
  -DLUNATIC_SANITIZE=address -DLUNATIC_REQUIRE_GUESTS=ON
run_step "build asan" cmake --build build-asan -j "$jobs"
# Every integration case runs the ASan lunatic: a leak or a memory error fails its exit check.
# debian_minigzip is left out (it builds a Debian source package; once is enough).
# The compiled spec suite runs once (above): under ASan it would repeat LLVM's work, not ours.
# The host_memory cases bound a run in a memory cgroup against the runtime's own estimate of
# what it allocates; ASan's redzones and its 256 MiB quarantine of freed memory are not in
# that estimate, so they run in the plain build only (HostMemory.* unit tests run here).
run_step "ctest asan (unit, regression, spec, integration)" ctest --test-dir build-asan \
  --output-on-failure -L 'unit|regression|spec|integration' -LE host_memory \
  -E 'debian_minigzip|spec_suite_compiled' -j "$jobs"

# The scheduler, mailboxes, links, the I/O reactor and distribution's connection threads (a
# remote spawn's compile job wakes its connection) under ThreadSanitizer (unit tests).
run_step "configure tsan" cmake -S . -B build-tsan -G Ninja "${sanitizer_flags[@]}" \
  -DLUNATIC_SANITIZE=thread -DLUNATIC_BUILD_EXAMPLES=OFF
run_step "build tsan runtime tests" cmake --build build-tsan -j "$jobs" --target unit_runtime \
  unit_networking unit_host unit_dist
run_step "tsan runtime tests" build-tsan/tests/unit/unit_runtime
run_step "tsan networking tests" build-tsan/tests/unit/unit_networking
run_step "tsan host namespace tests" build-tsan/tests/unit/unit_host
run_step "tsan distribution tests" build-tsan/tests/unit/unit_dist

# Fuzzers: a short run of each over its committed corpus (clang, libFuzzer).
run_step "fuzz smoke" bash scripts/fuzz_smoke.sh 10

echo "test.sh: OK: format, build, unit + spec + integration tests, the same under ASan+UBSan," \
  "TSan runtime + networking + host + distribution tests, fuzz smoke in $((SECONDS - start)) s"
