#!/usr/bin/env bash
# Installs what building lunatic and its guests needs on Debian 12 (minimal version written
# with the CLI; the CI scripts may extend it). Does nothing when everything is installed.
set -euo pipefail

packages=(
  g++ cmake ninja-build            # the runtime (C++20)
  clang lld wasi-libc libclang-rt-14-dev-wasm32  # guests: C -> wasm32-wasi
  libcli11-dev libfmt-dev          # the command line
  libgtest-dev                     # unit tests
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all build dependencies are installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
