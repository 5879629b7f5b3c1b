#!/usr/bin/env bash
# The default tier's hot functions in the code cache: a first `lunatic run` compiles its hot
# functions and stores them, the second publishes them from the cache at its start (and
# compiles none), linked without LLVM: it never opens lunatic_llvm.so (LD_DEBUG=files lists
# every object the dynamic loader opens, dlopen included, as in warm_cache_no_llvm.sh); both
# print the same; a damaged entry is a miss and the run is the same.
#   hot_cache.sh LUNATIC WORK_DIR WASM EXPECTED_STDOUT
set -euo pipefail
# shellcheck source=expect_log.sh
source "$(dirname "$0")/expect_log.sh"
lunatic=$1
work=$2
wasm=$3
expected=$4

rm -rf "$work"
mkdir -p "$work"

# LUNATIC_LLVM_DELAY_MS: the module's whole compile never starts (a slow run, under ASan,
# reached it and stored a second entry, which a later run takes before the hot one).
# LUNATIC_HOT_TICKS: the first run's threshold makes its loops hot. The later runs take one no
# function reaches: samples are statistical (a slow path in a short printf helper is charged
# the whole interval since main's last one), the cache keeps the first run's samples, and a
# helper sampled near the threshold twice is rightly compiled by the second run (it was, once,
# under ASan in CI). What the later runs publish then comes from the cache alone.
first_ticks=100000
later_ticks=1000000000000000
run_auto() {  # run_auto NAME TICKS: one default run with a debug log, its stderr in $work/NAME.log
  local out
  out=$(LUNATIC_CACHE_DIR="$work/cache" LUNATIC_LOG=debug LUNATIC_HOT_TICKS=$2 \
        LUNATIC_HOT_WAIT_MS=60000 LUNATIC_LLVM_DELAY_MS=3600000 \
        "$lunatic" run --tier auto "$wasm" 2>"$work/$1.log") ||
    { echo "FAIL ($1): exit $?"; cat "$work/$1.log"; exit 1; }
  if [[ $out != "$expected" ]]; then
    echo "FAIL ($1): printed: $out"
    exit 1
  fi
}

run_auto first "$first_ticks"
expect_log first "hot functions (.* bytes) compiled in"
expect_log first "code cache: hot functions stored"
expect_log first "loaded from the cache" absent
entries=("$work"/cache/*.obj)
[[ ${#entries[@]} == 1 ]] || { echo "FAIL: cache entries: ${entries[*]}"; exit 1; }
echo "ok first: $(grep -o 'hot functions stored.*' "$work/first.log")"

LD_DEBUG=files run_auto second "$later_ticks"
expect_log second "hot functions loaded from the cache in .*, without LLVM"
expect_log second "compiling .* hot functions" absent
expect_log second "file=.*libc.so"  # LD_DEBUG lists what the loader opens
expect_log second "lunatic_llvm.so" absent
echo "ok second: $(grep -o '[0-9]* hot functions loaded from the cache.*' "$work/second.log")"

# One byte of the object flipped: the checksum fails, nothing of it runs.
size=$(stat -c %s "${entries[0]}")
printf '\x5a' | dd of="${entries[0]}" bs=1 seek=$((size - 100)) conv=notrunc status=none
run_auto damaged "$later_ticks"
expect_log damaged "no hot functions in the code cache"
expect_log damaged "loaded from the cache" absent
echo "ok damaged: the same output, $(grep -o 'no hot functions in the code cache.*' "$work/damaged.log")"
