#!/usr/bin/env bash
# Installs what taonet needs on a fresh Debian machine with Go, idempotently.
#   scripts/setup.sh run   what `taonet localnet` needs
#   scripts/setup.sh test  what the test suite needs
# Each step checks first and does nothing when its dependency is already present.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "== installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

go mod download
case "$mode" in
  run) ;;
  test)
    # OpenBLAS is loaded at run time (no cgo) by the optional BLAS matmul path; the
    # tests compare it against the Go kernels.
    apt_install libopenblas0-pthread
    ;;
  *) echo "usage: scripts/setup.sh [run|test]"; exit 2 ;;
esac
