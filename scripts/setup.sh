#!/usr/bin/env bash
# Set up shopagent on a Debian machine: system packages, a virtualenv in .venv, the project.
# Usage: scripts/setup.sh [EXTRAS]   (EXTRAS: comma list of pyproject extras, default "dev,local,media,oscar")
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-dev,local,media,oscar}"
# chromium: the real browser for the back-office driver; postgresql: the tests' second
# database; fonts-noto-cjk: Chinese text in images and clips; espeak-ng: Mandarin voice;
# libgl1: OpenCV.
packages=(chromium fonts-noto-cjk espeak-ng libgl1 postgresql)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# constraints.txt pins a set known to work together here (torch stays a CPU build).
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[${extras}]"
echo "shopagent is installed in .venv (extras: ${extras}); run .venv/bin/shopagent --help"
