# Sourced by scripts/demo and scripts/test: make .venv from a lock file, then the project itself.
# $1 names the lock: requirements/$1.txt (base, production or test; ./scripts/lock writes them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    echo "installing python3-venv (Debian)" >&2
    SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r "requirements/$1.txt"
# setuptools tells every editable install to beware of folders named like the package: we know.
PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
.venv/bin/pybabel -q compile -d translations  # what `flask --app wsgi support translations compile` runs
