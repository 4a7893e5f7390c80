#!/usr/bin/env bash
# Create .venv if missing, install tf1_schedules with test extras, run the whole suite.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" test
exec python -m pytest -q "$@" tests
