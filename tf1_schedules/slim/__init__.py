"""tf-slim on TensorFlow 2.16 - 2.21, and fine-tuning from a checkpoint.

* `repairs`: `repairs.patch()` makes tf-slim 1.1.0 work on today's TF (an
  explicit call; `import tf1_schedules.slim_compat` does it on import).
* `select`: which variables to train / keep (`variables_to_train`,
  `select_variables`), boundary-aware and de-duplicated.
* `restore`: the checkpoint restore plan, `init_fn` and `Scaffold`.

Importing this package changes nothing in TensorFlow or tf-slim.
"""
from tf1_schedules.slim.restore import RestorePlan
from tf1_schedules.slim.restore import init_fn_from_checkpoint
from tf1_schedules.slim.restore import resolve_checkpoint
from tf1_schedules.slim.restore import scaffold_from_checkpoint
from tf1_schedules.slim.restore import variables_to_restore
from tf1_schedules.slim.select import select_variables
from tf1_schedules.slim.select import variables_to_train

__all__ = [
    "RestorePlan",
    "init_fn_from_checkpoint",
    "resolve_checkpoint",
    "scaffold_from_checkpoint",
    "select_variables",
    "variables_to_restore",
    "variables_to_train",
]
