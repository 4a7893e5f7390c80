#!/usr/bin/env bash
# Run the test suite on each supported TensorFlow, each in its own virtual environment.
#
#   scripts/test_matrix.sh [--setup-only] [PYTEST_ARGS...]
#
# TF_VERSIONS      versions to test (default "2.16 2.21": the oldest supported and the newest)
# PYTHON           interpreter for the environments (default python3; TF 2.16 needs Python <= 3.12)
# MATRIX_TIMEOUT   seconds allowed to one version's pytest run (default 3600)
# MATRIX_TESTS     what pytest runs (default "tests": the whole suite)
# MATRIX_CONFORMANCE=1  also run tf-slim's own tests (scripts/slim_conformance.py, plain /
#                  repaired / adapted) in each environment: out/matrix/slim_conformance_tf<version>.md;
#                  MATRIX_CONFORMANCE_JOBS parallel files (default 2)
#
# Each version gets `.venv-tf<version>` (gitignored) with the requirements and test extras that
# setup.py declares, plus `tensorflow==<version>.*` and the matching `tf-keras==<version>.*`
# (tf-keras must match TF's minor version), so a version outside the declared range fails to
# install. The suite runs on the source tree (PYTHONPATH). An environment is reinstalled only
# when setup.py changes. Logs: out/matrix/tf<version>.log; a summary table is printed at the
# end. Exit status: 0 when every version passed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
VERSIONS="${TF_VERSIONS:-2.16 2.21}"
TIMEOUT="${MATRIX_TIMEOUT:-3600}"
TESTS="${MATRIX_TESTS:-tests}"
CONFORMANCE="${MATRIX_CONFORMANCE:-0}"
SETUP_ONLY=0
if [ "${1:-}" = "--setup-only" ]; then
  SETUP_ONLY=1
  shift
fi
LOGS="$ROOT/out/matrix"
mkdir -p "$LOGS"
export TF_CPP_MIN_LOG_LEVEL=2

requirements() {  # setup.py's install_requires and "test" extras, one per line (not executed)
  "$PY" -c '
import ast, sys
for node in ast.walk(ast.parse(open(sys.argv[1]).read())):
    if isinstance(node, ast.keyword) and node.arg == "install_requires":
        print("\n".join(ast.literal_eval(node.value)))
    if isinstance(node, ast.keyword) and node.arg == "extras_require":
        print("\n".join(ast.literal_eval(node.value)["test"]))
' "$ROOT/setup.py"
}

setup_env() {  # setup_env VERSION -> creates/refreshes .venv-tfVERSION
  local version="$1" venv="$ROOT/.venv-tf$1"
  local stamp="$venv/.installed-test"
  if [ ! -x "$venv/bin/python" ]; then
    "$PY" -m venv "$venv" || return 1
  fi
  if [ -f "$stamp" ] && [ ! "$ROOT/setup.py" -nt "$stamp" ]; then
    return 0
  fi
  local reqs
  reqs="$(requirements)" || return 1
  # shellcheck disable=SC2086  # one requirement per word
  "$venv/bin/python" -m pip install --quiet --upgrade pip &&
    "$venv/bin/python" -m pip install --quiet $reqs \
      "tensorflow==$version.*" "tf-keras==$version.*" &&
    touch "$stamp"
}

describe_env() {  # describe_env VERSION -> "tensorflow X, tf-keras Y, ..."
  "$ROOT/.venv-tf$1/bin/python" -c '
from importlib.metadata import version
print(", ".join(f"{p} {version(p)}" for p in
                ("tensorflow", "tf-keras", "keras", "tf-slim", "numpy")))
' 2>/dev/null
}

declare -A RESULT DURATION PACKAGES SLIM
STATUS=0
for version in $VERSIONS; do
  log="$LOGS/tf$version.log"
  echo "== TF $version: setting up .venv-tf$version (log: $log)"
  start=$(date +%s)
  if ! setup_env "$version" >"$log" 2>&1; then
    RESULT[$version]="SETUP FAILED (see $log)"
    DURATION[$version]=$(( $(date +%s) - start ))
    PACKAGES[$version]="-"
    STATUS=1
    continue
  fi
  PACKAGES[$version]="$(describe_env "$version")"
  if [ "$SETUP_ONLY" = 1 ]; then
    RESULT[$version]="set up"
    DURATION[$version]=$(( $(date +%s) - start ))
    continue
  fi
  echo "== TF $version: running the suite (${PACKAGES[$version]})"
  start=$(date +%s)
  # shellcheck disable=SC2086  # MATRIX_TESTS: one path per word
  (cd "$ROOT" && PYTHONPATH="$ROOT" timeout -k 30 "$TIMEOUT" \
     "$ROOT/.venv-tf$version/bin/python" -m pytest -q -p no:cacheprovider "$@" $TESTS) \
     >>"$log" 2>&1
  rc=$?
  DURATION[$version]=$(( $(date +%s) - start ))
  # pytest's closing line, e.g. "3 failed, 410 passed in 300.12s".
  last="$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped|deselected)' "$log" | tail -1 \
          | sed 's/=//g; s/^ *//; s/ *$//')"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    last="TIMED OUT after ${TIMEOUT}s ${last}"
  fi
  RESULT[$version]="${last:-no result line} (exit $rc)"
  [ "$rc" = 0 ] || STATUS=1
  SLIM[$version]="-"
  if [ "$CONFORMANCE" = 1 ]; then
    echo "== TF $version: tf-slim's own tests (log: $LOGS/slim_conformance_tf$version.log)"
    "$ROOT/.venv-tf$version/bin/python" "$ROOT/scripts/slim_conformance.py" \
      --python "$ROOT/.venv-tf$version/bin/python" -j "${MATRIX_CONFORMANCE_JOBS:-2}" \
      --out "$LOGS/slim_conformance_tf$version.md" \
      --json "$LOGS/slim_conformance_tf$version.json" >"$LOGS/slim_conformance_tf$version.log" 2>&1 \
      || STATUS=1
    SLIM[$version]="$(grep -E '^(plain|repaired|adapted):' "$LOGS/slim_conformance_tf$version.log" \
                      | sed 's/ passed.*of / of /' | paste -sd ';' -)"
  fi
done

echo
echo "| TF | packages | result | seconds | tf-slim's own tests (passed of run) |"
echo "|---|---|---|---|---|"
for version in $VERSIONS; do
  echo "| $version | ${PACKAGES[$version]} | ${RESULT[$version]} | ${DURATION[$version]} | ${SLIM[$version]:--} |"
done
exit "$STATUS"
