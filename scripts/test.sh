#!/usr/bin/env bash
# Run the whole test suite: the layers contract, mypy (on the folders [tool.mypy] lists: the code tree, bench
# and tests), ruff, then pytest (its modules spread over the CPUs) against SQLite and a local PostgreSQL
# server that this script starts.
# Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SHOPAGENT_TEST_POSTGRES_URL:-}" ]; then
  SHOPAGENT_TEST_POSTGRES_URL="$(bash scripts/postgres.sh)" || { echo "could not start PostgreSQL" >&2; exit 1; }
  export SHOPAGENT_TEST_POSTGRES_URL
fi

.venv/bin/lint-imports || exit 1
.venv/bin/mypy || { echo "mypy found type errors (above) in the folders [tool.mypy] lists" >&2; exit 1; }
.venv/bin/ruff check --quiet . || { echo "ruff found problems (above); \`.venv/bin/ruff check --fix .\` mends some" >&2; exit 1; }

# The modules run on up to four workers (one per CPU): much of the suite waits on browsers and
# servers, so two workers on two cores take about two thirds of the time of one. A module stays
# on one worker (--dist loadscope): its servers start once and its tests keep their order.
# SHOPAGENT_TEST_WORKERS=1 runs everything in this process.
cpus="$(nproc 2>/dev/null || echo 1)"
workers="${SHOPAGENT_TEST_WORKERS:-$(( cpus < 4 ? cpus : 4 ))}"
parallel=()
if [ "$workers" -gt 1 ]; then
  parallel=(-n "$workers" --dist loadscope)
fi

.venv/bin/pytest "${parallel[@]}" "$@"
code=$?
if [ "$code" -eq 5 ]; then
  echo "pytest collected no tests: the suite is missing or mis-configured" >&2
  exit 1
fi
exit "$code"
