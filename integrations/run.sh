#!/usr/bin/env bash
# Runs the adapters' test suites against a live lapseguard (clients/serve.sh): the
# Express one with node's test runner, the Django one with Django's. Their versions of
# Express and Django are pinned here and in integrations/express/package.json.
set -euo pipefail
source "$(dirname "$0")/../clients/tools.sh"
cd "$ROOT"
ensure_tools
DJANGO_VERSION=5.2.19
source "$ROOT/clients/serve.sh"

echo "== Express adapter"
(cd clients/typescript && npx --no-install tsc)
(cd integrations/express && npm install --no-audit --no-fund --loglevel=error && npm test)

echo "== Django adapter"
"$VENV/bin/pip" install -q --disable-pip-version-check "django==$DJANGO_VERSION" \
    "$ROOT/clients/python" "$ROOT/integrations/django"
(cd integrations/django && PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m django test \
    --settings=tests.settings --pythonpath=. -v 2 tests)
