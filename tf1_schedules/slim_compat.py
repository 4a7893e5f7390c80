"""Importing this module applies the tf-slim repairs (its name says so).

    import tf1_schedules.slim_compat  # noqa: F401  (tf-slim now works)

is `tf1_schedules.slim.repairs.patch()` as an import line. `REPORT` is the
`PatchReport` of that call; ``TF1_SCHEDULES_NO_SLIM_PATCH=1`` disables it.
"""
from tf1_schedules.slim.repairs import ENV_DISABLE
from tf1_schedules.slim.repairs import PatchReport
from tf1_schedules.slim.repairs import patch

__all__ = ["ENV_DISABLE", "PatchReport", "REPORT", "patch"]

REPORT = patch()
