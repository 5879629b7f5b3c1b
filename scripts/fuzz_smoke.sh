#!/usr/bin/env bash
# Fuzz smoke run: builds the libFuzzer targets with clang (ASan+UBSan) into build-fuzz/ and runs
# each for SECONDS (default 20) over its seed corpus in fuzz/corpus/. Any finding (crash, leak,
# timeout, sanitizer report, whole-vs-sliced difference) fails the script; the reproducer is
# left in build-fuzz/artifacts/. The committed corpora are only read: new inputs go to
# build-fuzz/corpus/.
#   scripts/fuzz_smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-20}
build=build-fuzz
fuzzers=(decode_validate instantiate_run valid_module tiers baseline_tiers elf_image hot_bundle)

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLUNATIC_BUILD_FUZZ=ON -DLUNATIC_BUILD_TESTS=OFF -DLUNATIC_BUILD_EXAMPLES=OFF >/dev/null
# Only the fuzz targets: the rest of the tree is not linked with the fuzzer's sanitizers.
cmake --build "$build" -j 2 --target "${fuzzers[@]/%/_fuzzer}"

mkdir -p "$build/artifacts"
failed=()
for name in "${fuzzers[@]}"; do
  work="$build/corpus/$name"
  mkdir -p "$work"
  log="$build/$name.log"
  seeds="fuzz/corpus/$name"
  [[ $name == tiers || $name == baseline_tiers ]] && seeds=fuzz/corpus/valid_module  # the same input format
  echo "=== fuzz_smoke: $name for ${seconds} s"
  # nice: the machine is shared. -timeout: one input may not take 20 s (fuel bounds every
  # call, so a slow input is a finding); -rss_limit_mb: nor use 2 GiB.
  if nice -n 10 "$build/fuzz/${name}_fuzzer" "$work" "$seeds" \
      -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-" >"$log" 2>&1; then
    grep -E "^stat::number_of_executed_units" "$log" | sed "s/^/  /" || true
  else
    echo "fuzz_smoke: $name FAILED; last lines of $log:"
    tail -n 40 "$log"
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -ne 0 ]]; then
  echo "fuzz_smoke: FAILED: ${failed[*]} (reproducers in $build/artifacts/)"
  exit 1
fi
echo "fuzz_smoke: OK: ${fuzzers[*]}, ${seconds} s each"
