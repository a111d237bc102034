#!/usr/bin/env bash
# Setup of a fresh clone, as a new user would run it: a clone of this repository's HEAD in a
# temporary folder, an empty pip cache, then scripts/setup.sh with the demo's extras (or
# those given). Prints the time of each phase, the whole time and the size of .venv.
# System packages already on the machine are not installed again (apt-get takes about 30 s
# more on a machine without them).
#
#   bash bench/setup.sh [EXTRAS]        (default: local,media, what `make demo` installs)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-local,media}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q . "$work/shopagent"
export PIP_CACHE_DIR="$work/pip-cache"  # nothing this project installed before is reused
cd "$work/shopagent"
SECONDS=0
bash scripts/setup.sh "$extras"
printf 'setup of a fresh clone (extras %s): %d s\n' "$extras" "$SECONDS"
printf '.venv: %s\n' "$(du -sh .venv | cut -f1)"
printf 'largest packages in .venv:\n'
du -sm .venv/lib/python3*/site-packages/* | sort -n | tail -8 | awk '{printf "  %5d MB  %s\n", $1, $2}' | sed "s|$work/shopagent/||"
