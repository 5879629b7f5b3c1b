#!/usr/bin/env bash
# Runs a WASI errno guest (tests/guests/wasi_errno.wasm, wasi_rights.wasm, or the raw calls of
# wasi_errno_raw.wat) in a fresh empty preopened directory (stdin /dev/null, a character
# device), then checks from the host that nothing outside it changed.
#   wasi_errno.sh LUNATIC GUEST
# The tier comes from the environment (LUNATIC_TIER, LUNATIC_JIT_OPT), as for every case.
set -eu
lunatic=$1
guest=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/sandbox"
echo "secret" > "$work/outside.txt"

status=0
"$lunatic" run --dir "$work/sandbox:/sandbox" "$guest" /sandbox < /dev/null > "$work/out.txt" 2>&1 ||
  status=$?
cat "$work/out.txt"
[[ $status -eq 0 ]] || { echo "FAIL: exit status $status"; exit 1; }
grep -q '^ok [0-9]* checks$' "$work/out.txt" || { echo "FAIL: no ok line"; exit 1; }
[[ $(cat "$work/outside.txt") == secret ]] || { echo "FAIL: outside.txt changed"; exit 1; }
[[ $(ls "$work") == $'out.txt\noutside.txt\nsandbox' ]] ||
  { echo "FAIL: something was created outside the sandbox: $(ls "$work")"; exit 1; }
[[ -L "$work/sandbox/esc_abs" && $(readlink "$work/sandbox/esc_abs") == /etc/passwd ]] ||
  { echo "FAIL: the guest's symlink is missing"; exit 1; }
# Opens refused for their flags (DIRECTORY with CREAT) must not have created anything.
[[ ! -e "$work/sandbox/new" ]] || { echo "FAIL: a refused open created 'new'"; exit 1; }
echo "host checks ok"
