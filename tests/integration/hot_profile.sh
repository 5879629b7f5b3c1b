#!/usr/bin/env bash
# The hot profile (codecache/hot_profile.hpp): a function under its per-run threshold becomes
# hot in a later run from the time earlier runs sampled in it, and its hot entry appears; a
# damaged profile is ignored (and replaced); the functions in the hot entry leave the profile;
# a run without a cache stores nothing. spin.wasm loops until its fuel runs out: every run
# does the same work. LUNATIC_HOT_TICKS sets the threshold in time stamp counter ticks; the
# runs' debug logs say how many ticks the profile holds, so the threshold is set from them:
# past what the earlier runs sampled, by a quarter of what one run samples on average.
#   hot_profile.sh LUNATIC WORK_DIR SPIN_WASM
set -euo pipefail
# shellcheck source=expect_log.sh
source "$(dirname "$0")/expect_log.sh"
lunatic=$1
work=$2
wasm=$3
cache=$work/cache

rm -rf "$work"
mkdir -p "$work"

run_spin() {  # run_spin NAME TICKS [CACHE_DIR]: its stderr in $work/NAME.log
  local status=0
  LUNATIC_CACHE_DIR="${3:-$cache}" LUNATIC_LOG=debug LUNATIC_HOT_TICKS=$2 \
    LUNATIC_HOT_WAIT_MS=60000 LUNATIC_LLVM_DELAY_MS=3600000 \
    "$lunatic" run --tier auto --max-fuel 200000000 "$wasm" 2>"$work/$1.log" || status=$?
  if [[ $status == 0 ]] || ! grep -q "out of fuel" "$work/$1.log"; then
    echo "FAIL ($1): exit $status, not out of fuel:"
    cat "$work/$1.log"
    exit 1
  fi
}
never=1000000000000000  # no function is hot
profiles() { compgen -G "$cache/*.prof" | wc -l; }
hot_entries() { compgen -G "$cache/*.obj" | wc -l; }

# Four runs that compile nothing: each adds its time to the profile.
for run in 1 2 3 4; do
  run_spin "run$run" $never
  expect_log "run$run" "hot profile: 1 functions stored"
  expect_log "run$run" "compiling .* hot functions" absent
done
expect_log run1 "sampled by earlier runs" absent
expect_log run4 "hot profile: 1 functions sampled by earlier runs"
[[ $(profiles) == 1 && $(hot_entries) == 0 ]] || { echo "FAIL: files: $(ls "$cache")"; exit 1; }
read -r all this < <(sed -n 's/.*functions stored (the most: .*, \([0-9]*\) ticks in all, \([0-9]*\) this run).*/\1 \2/p' "$work/run4.log")
(( all > this && this > 0 )) || { echo "FAIL: $all ticks in all, $this in run 4"; exit 1; }
# The ticks are wall time, so a run under load samples more: the hot run must only reach a
# quarter of an average run (all / 16 of four), not a share of run 4 alone, which a load spike
# could have stretched.
threshold=$((all + all / 16))
echo "ok: 4 runs sampled $all ticks, run 4 $this; threshold $threshold"
cp "$cache"/*.prof "$work/profile"

# Damaged profiles are ignored (the run starts from nothing) and replaced by a good one.
damage() {  # damage NAME: writes the damaged file with the command that follows
  local name=$1
  shift
  "$@" >"$(compgen -G "$cache/*.prof")"
  run_spin "$name" $never
  expect_log "$name" "sampled by earlier runs" absent
  expect_log "$name" "hot profile: 1 functions stored"
  cp "$work/profile" "$(compgen -G "$cache/*.prof")"
}
damage truncated head -c 100 "$work/profile"
damage garbage head -c "$(stat -c %s "$work/profile")" /dev/urandom
damage oversized cat "$work/profile" "$work/profile"
damage flipped python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[64] ^= 1; sys.stdout.buffer.write(b)" "$work/profile"
echo "ok: truncated, garbage, oversized and flipped profiles ignored"

# Under the threshold alone, past it with the profile: compiled early in this run, stored.
run_spin hot $threshold
expect_log hot "hot profile: 1 functions sampled by earlier runs"
expect_log hot "compiling .* hot functions"
expect_log hot "code cache: hot functions stored"
[[ $(hot_entries) == 1 ]] || { echo "FAIL: no hot entry: $(ls "$cache")"; exit 1; }
# Its function is in the hot entry now: the profile keeps nothing of it.
expect_log hot "hot profile: 0 functions stored"
echo "ok hot: $(grep -o 'compiling .* hot functions.*' "$work/hot.log")"

run_spin after $threshold
expect_log after "hot functions loaded from the cache"
expect_log after "compiling .* hot functions" absent
expect_log after "sampled by earlier runs" absent
echo "ok after: $(grep -o '[0-9]* hot functions loaded from the cache.*' "$work/after.log")"

# No cache: nothing stored anywhere, nothing read.
status=0
env -u LUNATIC_CACHE_DIR -u XDG_CACHE_HOME -u HOME LUNATIC_LOG=debug LUNATIC_HOT_TICKS=$never \
  "$lunatic" run --tier auto --max-fuel 200000000 "$wasm" 2>"$work/nocache.log" || status=$?
[[ $status != 0 ]] || { echo "FAIL (nocache): exit 0"; exit 1; }
expect_log nocache "hot profile" absent
echo "ok nocache"
