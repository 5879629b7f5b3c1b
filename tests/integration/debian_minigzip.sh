#!/usr/bin/env bash
# A real program no one here wrote, run unmodified: zlib's minigzip, from Debian's source
# package, built to wasm32-wasi and natively from the same sources; lunatic's output must be
# byte-identical to the native one, and the guest's file mode (compress a file in a preopened
# directory, then restore it) must leave the same files.
#   debian_minigzip.sh LUNATIC WORK_DIR
# The source is fetched with `apt-get source zlib` into WORK_DIR (kept between runs: the
# download happens once), using a private apt state with a deb-src line: the system's apt
# configuration is not touched. Exits 77 (skipped) when the archive cannot be reached.
set -euo pipefail
lunatic=$1
work=$2
mkdir -p "$work"
cd "$work"

src_dir=$(find . -maxdepth 1 -type d -name 'zlib-*' | head -n 1)
if [[ -z $src_dir ]]; then
  mkdir -p apt/lists/partial apt/archives/partial
  # The suite of the running system (bookworm here), so the source matches its archive.
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  echo "deb-src http://deb.debian.org/debian $codename main" > apt/sources.list
  apt_opts=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache::Archives="$work/apt/archives"
            -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
  if ! apt-get "${apt_opts[@]}" update > apt/update.log 2>&1 ||
     ! apt-get "${apt_opts[@]}" source --download-only zlib > apt/source.log 2>&1; then
    echo "SKIP: cannot fetch Debian's zlib source package"; cat apt/*.log; exit 77
  fi
  tar xf zlib_*.orig.tar.*
  src_dir=$(find . -maxdepth 1 -type d -name 'zlib-*' | head -n 1)
fi
echo "source: $work/$src_dir"

sources=(adler32.c compress.c crc32.c deflate.c gzclose.c gzlib.c gzread.c gzwrite.c infback.c
         inffast.c inflate.c inftrees.c trees.c uncompr.c zutil.c test/minigzip.c)
# What zlib's configure defines on a system with unistd.h and stdarg.h.
flags=(-O2 -w -I"$src_dir" -DZ_HAVE_UNISTD_H -DHAVE_UNISTD_H -DHAVE_STDARG_H)
paths=("${sources[@]/#/$src_dir/}")
if [[ ! -f minigzip.wasm ]]; then
  clang --target=wasm32-wasi --sysroot=/usr "${flags[@]}" "${paths[@]}" -o minigzip.wasm
fi
if [[ ! -f minigzip.native ]]; then
  cc "${flags[@]}" "${paths[@]}" -o minigzip.native
fi

rm -rf run && mkdir -p run/guest run/native
cat "$src_dir"/*.c "$src_dir"/*.h > run/input.txt
head -c 200000 /dev/urandom > run/random.bin

fail() { echo "FAIL: $*"; exit 1; }
# stdin -> stdout, at several levels, on text and on incompressible data.
for input in run/input.txt run/random.bin; do
  for level in -1 -6 -9; do
    ./minigzip.native "$level" < "$input" > run/native.gz
    "$lunatic" run minigzip.wasm "$level" < "$input" > run/guest.gz
    cmp run/native.gz run/guest.gz || fail "compressed $input $level differs from native"
    "$lunatic" run minigzip.wasm -d < run/guest.gz | cmp - "$input" ||
      fail "decompressing $input $level does not give it back"
  done
done
# File mode inside a preopened directory: FILE -> FILE.gz (FILE removed), and back.
cp run/input.txt run/guest/data.txt
cp run/input.txt run/native/data.txt
"$lunatic" run --dir run/guest:/data minigzip.wasm -9 /data/data.txt
./minigzip.native -9 run/native/data.txt
[[ ! -e run/guest/data.txt ]] || fail "the guest did not remove data.txt"
cmp run/guest/data.txt.gz run/native/data.txt.gz || fail "data.txt.gz differs from native"
"$lunatic" run --dir run/guest:/data minigzip.wasm -d /data/data.txt.gz
cmp run/guest/data.txt run/input.txt || fail "restored data.txt differs"
[[ ! -e run/guest/data.txt.gz ]] || fail "the guest did not remove data.txt.gz"
echo "ok: minigzip (Debian zlib) output identical to native"
