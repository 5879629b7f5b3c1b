#!/usr/bin/env bash
# Runs one command and checks its exit status, stdout and stderr (an integration test case).
#   run_case.sh [--exit N] [--stdout-is TEXT] [--stdout-has TEXT]... [--stderr-has TEXT]...
#               [--stderr-lacks TEXT]... [--stderr-is TEXT] [--stdout-empty] [--env K=V]...
#               -- COMMAND [ARGS...]
# TEXT may contain \n escapes (printf %b). An argument "<empty>" of COMMAND becomes an empty
# string (CMake cannot pass one). COMMAND runs without the caller's LUNATIC_LOG (the default
# log level), plus each --env. Prints what differed and exits 1 on a mismatch.
set -u

expect_exit=0
stdout_is=""
stdout_is_set=0
stderr_is=""
stderr_is_set=0
stdout_has=()
stderr_has=()
stderr_lacks=()
env_vars=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  case $1 in
    --exit) expect_exit=$2; shift 2 ;;
    --stdout-is) stdout_is=$(printf '%b' "$2"); stdout_is_set=1; shift 2 ;;
    --stdout-empty) stdout_is=""; stdout_is_set=1; shift ;;
    --stderr-is) stderr_is=$(printf '%b' "$2"); stderr_is_set=1; shift 2 ;;
    --stdout-has) stdout_has+=("$(printf '%b' "$2")"); shift 2 ;;
    --stderr-has) stderr_has+=("$(printf '%b' "$2")"); shift 2 ;;
    --stderr-lacks) stderr_lacks+=("$(printf '%b' "$2")"); shift 2 ;;
    --env) env_vars+=("$2"); shift 2 ;;
    *) echo "run_case.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -gt 1 ]] || { echo "run_case.sh: missing -- COMMAND" >&2; exit 2; }
shift
command=()
for arg in "$@"; do
  if [[ $arg == "<empty>" ]]; then command+=(""); else command+=("$arg"); fi
done

out_file=$(mktemp)
err_file=$(mktemp)
trap 'rm -f "$out_file" "$err_file"' EXIT
env -u LUNATIC_LOG ${env_vars[@]+"${env_vars[@]}"} "${command[@]}" >"$out_file" 2>"$err_file" </dev/null
status=$?
out=$(cat "$out_file")
err=$(cat "$err_file")

failed=0
fail() { echo "FAIL: $*"; failed=1; }
[[ $status -eq $expect_exit ]] || fail "exit status $status, expected $expect_exit"
if [[ $stdout_is_set -eq 1 && $out != "$stdout_is" ]]; then fail "stdout differs"; fi
if [[ $stderr_is_set -eq 1 && $err != "$stderr_is" ]]; then fail "stderr differs"; fi
for text in ${stdout_has[@]+"${stdout_has[@]}"}; do
  [[ $out == *"$text"* ]] || fail "stdout lacks: $text"
done
for text in ${stderr_has[@]+"${stderr_has[@]}"}; do
  [[ $err == *"$text"* ]] || fail "stderr lacks: $text"
done
for text in ${stderr_lacks[@]+"${stderr_lacks[@]}"}; do
  [[ $err != *"$text"* ]] || fail "stderr has: $text"
done

echo "command: ${env_vars[*]+${env_vars[*]} }${command[*]}"
echo "exit status: $status"
echo "--- stdout ---"; printf '%s\n' "$out"
echo "--- stderr ---"; printf '%s\n' "$err"
exit $failed
