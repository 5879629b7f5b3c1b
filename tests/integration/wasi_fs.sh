#!/usr/bin/env bash
# Runs tests/guests/wasi_fs.wasm in a fresh preopened directory, with a file beside it and
# escaping symlinks inside it, then checks from the host what the guest left behind.
#   wasi_fs.sh LUNATIC WASI_FS_WASM
set -eu
lunatic=$1
guest=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/sandbox" "$work/outside_dir"
echo "secret" > "$work/outside.txt"
echo "other secret" > "$work/outside_dir/outside.txt"
ln -s "$work/outside.txt" "$work/sandbox/esc_abs"
ln -s ../outside.txt "$work/sandbox/esc_rel"
ln -s ../outside_dir "$work/sandbox/esc_dir"

status=0
"$lunatic" run --dir "$work/sandbox:/sandbox" --env "GREETING=hello world" "$guest" \
  /sandbox "second arg" > "$work/out.txt" 2>&1 || status=$?
cat "$work/out.txt"
[[ $status -eq 0 ]] || { echo "FAIL: exit status $status"; exit 1; }
grep -qx ok "$work/out.txt" || { echo "FAIL: no ok line"; exit 1; }
# What the guest did is visible on the host; nothing outside changed.
[[ $(cat "$work/sandbox/hello.txt") == $'hello 42\nsecond line\nthird' ]] ||
  { echo "FAIL: hello.txt differs"; exit 1; }
[[ $(cat "$work/outside.txt") == secret ]] || { echo "FAIL: outside.txt changed"; exit 1; }
[[ ! -e "$work/made_outside" && ! -e "$work/stolen.txt" ]] ||
  { echo "FAIL: something was created outside"; exit 1; }
[[ -L "$work/sandbox/guest_esc" ]] || { echo "FAIL: guest symlink missing"; exit 1; }
echo "host checks ok"
