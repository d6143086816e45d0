#!/usr/bin/env bash
# Runs both generated clients' smoke tests against a live lapseguard (clients/serve.sh:
# the binary on a fresh SQLite file, a fake RDAP registry on loopback, a token with the
# check, read and admin scopes).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_tools
"$VENV/bin/pip" install -q --disable-pip-version-check httpx attrs python-dateutil
source "$ROOT/clients/serve.sh"

SMOKE_DOMAIN=python-smoke.com PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$ROOT/clients/python" "$VENV/bin/python" clients/smoke/python_smoke.py
(cd clients/typescript && npx --no-install tsc && SMOKE_DOMAIN=typescript-smoke.com node dist/smoke.js)
