#!/usr/bin/env bash
# Installs the Debian (bookworm) packages that building, testing, the examples and the
# benchmarks need, pinned to the versions this project is tested with. Idempotent: when every
# package is installed at its pinned version (or newer), apt is not touched at all.
set -euo pipefail

# name=version, as `apt-cache policy NAME` shows them on Debian 12 (bookworm).
PACKAGES=(
  cmake=3.25.1-1
  ninja-build=1.11.1-2~deb12u1
  g++=4:12.2.0-3
  clang=1:14.0-55.7~deb12u1                # clang for wasm32-wasi guests (and fuzzing)
  lld=1:14.0-55.7~deb12u1                  # wasm-ld for guests
  clang-format=1:14.0-55.7~deb12u1         # scripts/check_format.sh (.clang-format)
  libclang-rt-14-dev-wasm32=1:14.0.6-12    # compiler-rt builtins for wasm32
  wasi-libc=0.0~git20220510.9886d3d-2      # libc for wasm32-wasi guests
  libc++-14-dev-wasm32=1:14.0.6-12         # libc++ for C++ guests (the C++ SDK)
  libc++abi-14-dev-wasm32=1:14.0.6-12
  wabt=1.0.32-1                            # wasm-interp for the benchmarks, wat2wasm/wasm2wat
  libgtest-dev=1.12.1-0.2
  libbenchmark-dev=1.7.1-1
  libcli11-dev=2.1.2+ds-1                  # CLI
  libfmt-dev=9.1.0+ds1-2
  libspdlog-dev=1:1.10.0+ds-0.4            # the CLI's log (LUNATIC_LOG)
  libboost1.74-dev=1.74.0+ds1-21           # Boost.Beast/Asio headers: the observer's HTTP server (src/observer)
  nlohmann-json3-dev=3.11.2-2              # the observer's JSON (src/observer)
  chromium=156.0.8078.114-1~deb12u1        # renders the observer's page in its test (headless)
  llvm-14-dev=1:14.0.6-12                  # the compiled tier's code generator (src/jit)
  libboost-context-dev=1.74.0.3            # native stacks of compiled code (src/jit)
  libasmjit-dev=0.0~git20221210.5b5b0b3-1  # the baseline tier's assembler (src/baseline)
  libmimalloc-dev=2.0.9+ds-2               # the allocator of the lunatic command (cmake/allocator.cmake)
  hyperfine=1.15.0-2                       # benchmarks
  wrk=4.1.0-3+b2                           # HTTP load for bench/net (echo / HTTP guest)
  erlang-base=1:25.2.3+dfsg-1+deb12u4      # process benchmarks: bench/erlang/*.erl
  erlang-dev=1:25.2.3+dfsg-1+deb12u4       # erl_interface (ei): the distribution handshake (src/dist)
  libssl-dev=3.0.19-1~deb12u2              # SHA-256 of modules sent for remote spawns (src/dist)
  python3=3.11.2-1+b1
)

# Prints the entries that are missing or older than pinned.
missing_packages() {
  local entry name want have
  for entry in "${PACKAGES[@]}"; do
    name=${entry%%=*}
    want=${entry#*=}
    have=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$name" 2>/dev/null || true)
    if [[ $have != ii* ]] || ! dpkg --compare-versions "${have:3}" ge "$want"; then
      echo "$entry"
    fi
  done
}

mapfile -t todo < <(missing_packages)
if ((${#todo[@]} == 0)); then
  echo "setup.sh: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${todo[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0
     --no-install-recommends)

echo "setup.sh: installing ${todo[*]}"
"${SUDO[@]}" apt-get update -q
if ! "${APT[@]}" install "${todo[@]}"; then
  # A Debian point release can replace a pinned version on the mirror; the newer build of the
  # same upstream version is what we would get anyway, so fall back to it rather than fail.
  echo "setup.sh: warning: pinned versions unavailable, installing the current ones" >&2
  "${APT[@]}" install "${todo[@]%%=*}"
fi

mapfile -t still < <(missing_packages)
if ((${#still[@]} > 0)); then
  echo "setup.sh: warning: older than pinned: ${still[*]}" >&2
fi
echo "setup.sh: done"
