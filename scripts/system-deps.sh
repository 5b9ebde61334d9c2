#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the LMS and its tests need, only when one is missing:
# Chromium for the browser tests, Pango and HarfBuzz for WeasyPrint, poppler for PDF checks,
# nginx for the test of the documented reverse proxy (tests/core/test_nginx.py), Node and npm for
# Learning Locker's statement validator (tests/lrs/test_ll_validation.py; any Node >= 16 will do).
set -euo pipefail
packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils nginx-light)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]}. Install them with your package manager." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
