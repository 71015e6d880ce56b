#!/usr/bin/env bash
# Installs the Debian 12 packages sotto needs to build, test and run, if any is missing,
# and any named on the command line.
# Needs root (apt-get) only when something is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make python3 iproute2
  libsodium-dev libprotobuf-dev protobuf-compiler nlohmann-json3-dev libcli11-dev
  libqrencode-dev libsqlite3-dev libboost-dev libboost-system-dev libssl-dev zlib1g-dev
  libspdlog-dev libtomlplusplus-dev libgtest-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
)
# Extra packages one target needs (make bench: python3-matplotlib for its plots).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "sotto: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "sotto: run as root, or install them yourself: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
