#!/usr/bin/env bash
# Builds the compute benchmarks' real programs from Debian bookworm's sources: the `lua` 5.4
# interpreter and the `sqlite3` 3.40 shell, each natively (gcc -O2) and as a wasm32-wasi
# command (clang 14 -O2, Debian's wasi-libc). Sources are downloaded from deb.debian.org at
# build time (never committed), checked against the SHA256 sums pinned below, and patched
# with Debian's own patches (debian/patches/series), as the Debian packages are.
#
#   bench/programs/build.sh [--build-dir DIR] [--jobs N]
#     DIR defaults to build/bench/programs; outputs DIR/native/{lua,sqlite3},
#     DIR/wasm/{lua,sqlite3}.wasm. Reruns rebuild what is missing, and everything after a
#     change to this script or its headers (the downloads are kept).
#
# When the download fails (no route to deb.debian.org) it prints SKIPPED and exits 0, so a
# build that includes it still succeeds; bench/run_compute_bench.py then skips the programs.
# Needs: curl, tar, xz, patch, make, gcc, tclsh (SQLite generates its amalgamation with it),
# clang, lld, wasi-libc, libclang-rt-14-dev-wasm32.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=build/bench/programs
jobs=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
wasi_sysroot=${WASI_SYSROOT:-/usr}
wasm_cc=${WASM_CC:-clang}
native_cc=${NATIVE_CC:-gcc}

# ---- Pinned sources: Debian bookworm's packages (pool path, file, SHA256) ----------------------
# Security updates replace these versions in the pool; then update the versions and sums here
# (the .dsc lists the sums of the other files).
lua_version=5.4.4
lua_files=(
  "l/lua5.4 lua5.4_5.4.4-3+deb12u1.dsc d47c50154294a68c8a209c5d61bc09e5b22891c01b7c47501ac3f9725eb4a813"
  "l/lua5.4 lua5.4_5.4.4.orig.tar.gz 164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61"
  "l/lua5.4 lua5.4_5.4.4-3+deb12u1.debian.tar.xz 2d8e0e380722c648cfeffb8d58287865619b4d035544d93d7ef3a2eaf627abe6"
)
sqlite_version=3.40.1
sqlite_files=(
  "s/sqlite3 sqlite3_3.40.1-2+deb12u2.dsc ee3459ae9d00939741c7708fc1b8ce1bde12d8c3fb1dfa005bbbc8651d884e23"
  "s/sqlite3 sqlite3_3.40.1.orig.tar.xz aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655"
  "s/sqlite3 sqlite3_3.40.1-2+deb12u2.debian.tar.xz 0843bc12e4364076477935ce313a6d0796fd899a989ff18ebb6545540e10e4ca"
)

log() { echo "bench/programs: $*"; }

skip() {
  log "SKIPPED: $*"
  log "the Lua and SQLite compute benchmarks need their Debian sources from $mirror"
  exit 0
}

# fetch POOL_DIR FILE SHA256: downloads into DIR/downloads once and checks the sum (the .dsc
# is fetched for the record of what was built; its own sum is pinned too).
fetch() {
  local pool=$1 file=$2 sum=$3
  local out=$build_dir/downloads/$file
  mkdir -p "$build_dir/downloads"
  if [[ ! -f $out ]]; then
    log "downloading $mirror/pool/main/$pool/$file"
    if ! curl -fsS --retry 2 --connect-timeout 15 -m 300 -o "$out.part" \
        "$mirror/pool/main/$pool/$file"; then
      rm -f "$out.part"
      skip "cannot download $file"
    fi
    mv "$out.part" "$out"
  fi
  if ! echo "$sum  $out" | sha256sum -c --quiet - >/dev/null 2>&1; then
    rm -f "$out"
    echo "bench/programs: SHA256 MISMATCH for $file (expected $sum); deleted it" >&2
    exit 1
  fi
}

# unpack NAME ORIG DEBIAN SRC_DIR: the upstream tarball plus debian/, with Debian's patches
# applied in the order of debian/patches/series (a 3.0 (quilt) source package, as dpkg-source -x).
unpack() {
  local orig=$1 debian=$2 src=$3
  [[ -f $src/.unpacked ]] && return
  rm -rf "$src" "$src.tmp"
  mkdir -p "$src.tmp"
  tar -xf "$build_dir/downloads/$orig" -C "$src.tmp" --strip-components=1
  tar -xf "$build_dir/downloads/$debian" -C "$src.tmp"
  local patch
  while read -r patch; do
    [[ -z $patch || $patch == \#* ]] && continue
    patch -d "$src.tmp" -p1 -s --no-backup-if-mismatch < "$src.tmp/debian/patches/$patch"
  done < "$src.tmp/debian/patches/series"
  touch "$src.tmp/.unpacked"
  mv "$src.tmp" "$src"
}

# A change to this script or the headers it force-includes rebuilds the programs (the
# downloads and unpacked sources stay).
recipe=$(cat "$0" "$here"/*.h "$here"/wasi_include/*.h | sha256sum | cut -d' ' -f1)
if [[ $(cat "$build_dir/recipe.sha256" 2>/dev/null) != "$recipe" ]]; then
  rm -rf "$build_dir/obj/lua" "$build_dir/obj/sqlite" "$build_dir/native" "$build_dir/wasm"
  echo "$recipe" > "$build_dir/recipe.sha256"
fi

for entry in "${lua_files[@]}" "${sqlite_files[@]}"; do
  # shellcheck disable=SC2086
  fetch $entry
done

src_dir=$build_dir/src
mkdir -p "$src_dir" "$build_dir/native" "$build_dir/wasm"
unpack lua5.4_5.4.4.orig.tar.gz lua5.4_5.4.4-3+deb12u1.debian.tar.xz "$src_dir/lua-$lua_version"
unpack sqlite3_3.40.1.orig.tar.xz sqlite3_3.40.1-2+deb12u2.debian.tar.xz \
  "$src_dir/sqlite-$sqlite_version"

# ---- Flags ------------------------------------------------------------------------------------
wasm_flags=(--target=wasm32-wasi "--sysroot=$wasi_sysroot" -O2 -I"$here/wasi_include"
            -include "$here/wasi_compat.h" -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID
            -D_WASI_EMULATED_PROCESS_CLOCKS)
wasm_libs=(-lwasi-emulated-signal -lwasi-emulated-getpid -lwasi-emulated-process-clocks)
# Linked without -O: clang would run wasm-opt when installed, and the bench wants clang's code
# as is (as lunatic_add_guest); --strip-debug keeps the name section for backtraces.
# shellcheck disable=SC2054  # the comma is part of -Wl,--strip-debug
wasm_link=(--target=wasm32-wasi "--sysroot=$wasi_sysroot" -Wl,--strip-debug)
native_flags=(-O2)

# compile_all OUT_DIR CC FLAGS... -- SOURCES...: one object per source, $jobs at a time.
compile_all() {
  local out=$1 cc=$2; shift 2
  local flags=()
  while [[ $1 != -- ]]; do flags+=("$1"); shift; done
  shift
  mkdir -p "$out"
  local src running=0
  for src in "$@"; do
    local obj
    obj=$out/$(basename "${src%.c}").o
    [[ -f $obj ]] && continue
    "$cc" "${flags[@]}" -c "$src" -o "$obj.tmp" && mv "$obj.tmp" "$obj" &
    running=$((running + 1))
    if ((running >= jobs)); then wait -n; running=$((running - 1)); fi
  done
  wait
  for src in "$@"; do
    [[ -f $out/$(basename "${src%.c}").o ]] ||
      { echo "bench/programs: compiling $src failed" >&2; exit 1; }
  done
}

# ---- Lua: the standalone interpreter, Lua's own src/ objects minus luac ----------------------
lua_src=$src_dir/lua-$lua_version/src
lua_sources=()
for f in "$lua_src"/*.c; do
  [[ $(basename "$f") == luac.c ]] || lua_sources+=("$f")
done
lua_obj=$build_dir/obj/lua
# Debian's luaconf.h (0002-lua-modules-paths.patch) includes a header debian/rules generates.
for target in native wasm; do
  mkdir -p "$lua_obj/$target"
  triple=x86_64-linux-gnu
  [[ $target == wasm ]] && triple=wasm32-wasi
  echo "#define DEB_HOST_MULTIARCH \"$triple\"" > "$lua_obj/$target/lua5.4-deb-multiarch.h"
done

if [[ ! -x $build_dir/native/lua ]]; then
  log "building native lua (gcc -O2, as Lua's 'make linux')"
  compile_all "$lua_obj/native" "$native_cc" "${native_flags[@]}" -Wall -DLUA_COMPAT_5_3 \
    -DLUA_USE_LINUX -I"$lua_obj/native" -- "${lua_sources[@]}"
  "$native_cc" -o "$build_dir/native/lua" "$lua_obj"/native/*.o -Wl,-E -lm -ldl
fi
if [[ ! -f $build_dir/wasm/lua.wasm ]]; then
  log "building lua.wasm (clang -O2 --target=wasm32-wasi; errors abort: see lua_wasi.h)"
  # Lua's C89 configuration (no LUA_USE_POSIX: no popen, dlopen or mkstemp in WASI).
  compile_all "$lua_obj/wasm" "$wasm_cc" "${wasm_flags[@]}" -include "$here/lua_wasi.h" \
    -DLUA_COMPAT_5_3 -I"$lua_obj/wasm" -- "${lua_sources[@]}"
  "$wasm_cc" "${wasm_link[@]}" "$lua_obj"/wasm/*.o "${wasm_libs[@]}" -o "$build_dir/wasm/lua.wasm"
fi

# ---- SQLite: the amalgamation (sqlite3.c) and the shell (shell.c), generated natively --------
sqlite_gen=$build_dir/obj/sqlite-gen
if [[ ! -f $sqlite_gen/sqlite3.c || ! -f $sqlite_gen/shell.c ]]; then
  command -v tclsh >/dev/null || skip "tclsh not found (apt-get install tcl): SQLite needs it"
  log "generating sqlite3.c and shell.c (configure; make sqlite3.c shell.c)"
  rm -rf "$sqlite_gen"
  mkdir -p "$sqlite_gen"
  (cd "$sqlite_gen" &&
     "$src_dir/sqlite-$sqlite_version/configure" --disable-tcl > configure.log 2>&1 &&
     make -j"$jobs" sqlite3.c shell.c > make.log 2>&1) ||
    { echo "bench/programs: generating SQLite's amalgamation failed; see $sqlite_gen/*.log" >&2
      exit 1; }
fi
# Both builds: no threads, no extension loading (no dlopen in WASI), and the shell's .system,
# .shell and pipes off in WASI (no processes), no WAL (needs shared memory), no mmap I/O,
# temporary tables and sorts in memory (WASI has no temporary directory to spill to).
sqlite_flags=(-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL
              -DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_TEMP_STORE=2 -I"$sqlite_gen")
sqlite_sources=("$sqlite_gen/sqlite3.c" "$sqlite_gen/shell.c")
sqlite_obj=$build_dir/obj/sqlite
if [[ ! -x $build_dir/native/sqlite3 ]]; then
  log "building native sqlite3 (gcc -O2)"
  compile_all "$sqlite_obj/native" "$native_cc" "${native_flags[@]}" "${sqlite_flags[@]}" \
    -- "${sqlite_sources[@]}"
  "$native_cc" -o "$build_dir/native/sqlite3" "$sqlite_obj"/native/*.o -lm
fi
if [[ ! -f $build_dir/wasm/sqlite3.wasm ]]; then
  log "building sqlite3.wasm (clang -O2 --target=wasm32-wasi)"
  compile_all "$sqlite_obj/wasm" "$wasm_cc" "${wasm_flags[@]}" "${sqlite_flags[@]}" \
    -DSQLITE_OMIT_POPEN -DSQLITE_NOHAVE_SYSTEM -- "${sqlite_sources[@]}"
  "$wasm_cc" "${wasm_link[@]}" "$sqlite_obj"/wasm/*.o "${wasm_libs[@]}" \
    -o "$build_dir/wasm/sqlite3.wasm"
fi

log "done: $build_dir/native/{lua,sqlite3} $build_dir/wasm/{lua,sqlite3}.wasm"
