#!/usr/bin/env bash
# Run the fixture django-oscar shop on 127.0.0.1 for a demo of `--platform oscar`.
# Usage: scripts/oscar_shop.sh [DATA_FOLDER]   (default: a new temp folder; PORT=0 picks a free port)
# Then: shopagent daily --platform oscar with marketplace_url set to the printed address,
# marketplace_user = "staff@example.com", marketplace_password = "oscar-staff".
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-$(mktemp -d)/oscar}"
exec .venv/bin/python bench/oscar_shop/shop.py serve --data "$data" --port "${PORT:-0}"
