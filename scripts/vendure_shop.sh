#!/usr/bin/env bash
# Run the Vendure test shop on 127.0.0.1 for a demo of `--platform vendure` (installs its npm
# packages into bench/vendure_shop/node_modules first when they are missing, about 50 s).
# Usage: scripts/vendure_shop.sh [DATA_FOLDER]   (default: a new temp folder; PORT=0 picks a free port)
# Then: shopagent daily --platform vendure with marketplace_url set to the printed address,
# marketplace_user = "superadmin", marketplace_password = "vendure-admin".
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-$(mktemp -d)/vendure}"
exec .venv/bin/python bench/vendure_shop/shop.py serve --data "$data" --port "${PORT:-0}"
