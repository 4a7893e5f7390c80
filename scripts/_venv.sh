# Shared by demo.sh and test.sh: create .venv once, (re)install when setup.py changes.
# Usage: source scripts/_venv.sh EXTRAS   (EXTRAS like "test" or "examples")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
EXTRAS="$1"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$EXTRAS"
if [ ! -f "$STAMP" ] || [ "$ROOT/setup.py" -nt "$STAMP" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT[$EXTRAS]"
  touch "$STAMP"
fi
export TF_CPP_MIN_LOG_LEVEL=2
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
