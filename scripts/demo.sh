#!/usr/bin/env bash
# The main job on the embedded defaults, in ./shop: import the sample catalog and show it.
set -euo pipefail
cd "$(dirname "$0")/.."
workdir="${SHOPAGENT_WORKDIR:-shop}"

[ -f "$workdir/shopagent.toml" ] || .venv/bin/shopagent init --workdir "$workdir"
.venv/bin/shopagent catalog import store_data/samples/catalog.csv --workdir "$workdir"
.venv/bin/shopagent catalog list --workdir "$workdir"
