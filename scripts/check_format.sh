#!/usr/bin/env bash
# Checks that every C/C++ file in git is formatted as .clang-format says (clang-format 14).
#   bash scripts/check_format.sh          # lists the files that differ, fails if any
#   bash scripts/check_format.sh --fix    # formats them in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" 2>/dev/null; then bad+=("$f"); fi
done
if ((${#bad[@]} > 0)); then
  echo "check_format.sh: ${#bad[@]} file(s) differ from .clang-format (fix: bash scripts/check_format.sh --fix):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check_format.sh: ${#files[@]} files formatted"
