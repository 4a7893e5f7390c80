#!/usr/bin/env bash
# Create .venv if missing, install tf1_schedules with the examples extras, run
# the end-to-end demo (pretrain a slim CNN on digits 0-4, fine-tune on 5-9).
# Options go to scripts/demo.py, e.g.:
#   bash scripts/demo.sh --out demo_output --pretrain-steps 1000 --finetune-steps 500
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" examples
exec python scripts/demo.py "$@"
