#!/usr/bin/env bash
# Installs what Orchard needs to build and test on Debian 12, and nothing that is already there.
# Every dependency is a Debian package; see ARCHITECTURE.md for why each was chosen.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates tzdata python3 python3-cryptography openssl
  libssl-dev libsodium-dev libsqlite3-dev sqlite3 libdeflate-dev zlib1g-dev
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libcpp-httplib-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk curl
  chromium fonts-dejavu-core fonts-liberation2
)
# The dashboard is built with Node.js and npm: Debian's unless the machine already has them.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The dashboard's npm packages (exact versions from web/package-lock.json), when they changed.
web="$(dirname "$0")/../web"
if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in web/"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
fi
