#!/usr/bin/env bash
# The main job on the embedded defaults: open the sample shop in ./shop (brand, pictures,
# copy, prices, listings on the sandbox marketplace, a promo clip per product, a summary).
# SHOPAGENT_DEMO_APPROVAL=risky makes the first publishes wait for you, as in real use.
set -euo pipefail
cd "$(dirname "$0")/.."
workdir="${SHOPAGENT_WORKDIR:-shop}"
approval="${SHOPAGENT_DEMO_APPROVAL:-auto}"

if [ ! -f "$workdir/shopagent.toml" ]; then
  echo "[demo] creating the work directory $workdir"
  .venv/bin/shopagent init --workdir "$workdir" >/dev/null
fi
echo "[demo] opening the sample shop (16 products: brand, pictures, copy, listings, a clip each; about 4 minutes on 2 cores)"
echo "[demo] each stage is shown as it runs, and logged in $workdir/runs/activity.log"
status=0
.venv/bin/shopagent open --workdir "$workdir" --approval "$approval" \
  --catalog store_data/samples/catalog.csv --brief "calm, well-made homeware for small homes" || status=$?
# 3: the open paused for the owner's approvals (SHOPAGENT_DEMO_APPROVAL=risky); decide, and it resumes.
[ "$status" = 0 ] || [ "$status" = 3 ] || exit "$status"
echo
echo "Summary page: $workdir/assets/open-summary.html"
echo "Browse the shop: .venv/bin/shopagent marketplace serve --workdir $workdir  (then http://127.0.0.1:8700)"
echo "Run a day:       .venv/bin/shopagent daily --workdir $workdir"
