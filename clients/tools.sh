# Sourced by generate.sh and smoke.sh: the pinned generators and the clients' runtime
# dependencies, installed once into target/ (ignored by git) and node_modules/.
OPENAPI_PYTHON_CLIENT_VERSION=0.29.1
RUFF_VERSION=0.17.6
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/target/clients-venv"

ensure_tools() {
    if [ ! -x "$VENV/bin/openapi-python-client" ] ||
        ! "$VENV/bin/openapi-python-client" --version | grep -q "$OPENAPI_PYTHON_CLIENT_VERSION"; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check \
            "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION" "ruff==$RUFF_VERSION"
    fi
    if [ ! -d "$ROOT/clients/typescript/node_modules" ]; then
        (cd "$ROOT/clients/typescript" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}
