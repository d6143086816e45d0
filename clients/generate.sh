#!/usr/bin/env bash
# Regenerates the committed clients from openapi/openapi.json:
#   clients/python                      openapi-python-client
#   clients/typescript/src/schema.d.ts  openapi-typescript (requests: openapi-fetch)
# With --check, generates into a temporary folder and fails when the committed clients
# differ (CI runs it this way).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"
ensure_tools

check=false
[ "${1:-}" = "--check" ] && check=true
out="$ROOT/clients"
if $check; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
    mkdir -p "$out/typescript/src"
fi

RUFF_NO_CACHE=true PATH="$VENV/bin:$PATH" openapi-python-client generate \
    --path openapi/openapi.json --config clients/python-config.yaml --meta setup \
    --output-path "$out/python" --overwrite --fail-on-warning >/dev/null
(cd clients/typescript &&
    npx --no-install openapi-typescript ../../openapi/openapi.json \
        --output "$out/typescript/src/schema.d.ts" >/dev/null)

if $check; then
    diff -r --exclude=__pycache__ clients/python "$out/python"
    diff clients/typescript/src/schema.d.ts "$out/typescript/src/schema.d.ts"
    echo "the committed clients match openapi/openapi.json"
fi
