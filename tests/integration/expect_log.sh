# expect_log NAME TEXT [absent]: whether $work/NAME.log holds TEXT (a grep pattern), or with
# `absent` that it does not; on a mismatch prints the log and exits 1. Sourced by the cache
# tests (hot_cache.sh, hot_profile.sh), which set $work.
expect_log() {
  if grep -q "$2" "$work/$1.log"; then found=1; else found=0; fi
  if [[ ${3:-} == absent && $found == 1 || ${3:-} != absent && $found == 0 ]]; then
    echo "FAIL ($1): \"$2\" ${3:-expected} in its log:"
    cat "$work/$1.log"
    exit 1
  fi
}
