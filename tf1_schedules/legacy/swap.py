"""Opt-in: `tf.compat.v1.train.*_decay` replaced by this package's schedules.

`swap_schedules()` sets the ten names below on the `tf.compat.v1.train`
module (so `import tensorflow.compat.v1 as tf; tf.train.exponential_decay`,
and `tf.train.*` under the launcher's TF1 namespace, are this package's
functions) and returns an `Installation` whose `undo()` puts TensorFlow's own
function objects back. Unchanged TF1 code then gets this package's
validation, its eager callables and the O(1) `piecewise_constant`. The
parameters are TF1's, in TF1's order, with TF1's defaults (only keyword-only
extras are added, e.g. `noisy_linear_cosine_decay(..., *, seed=None)`), so
every call that worked keeps working.

Nothing of TensorFlow is removed: the originals stay reachable as
`ORIGINALS` while the swap is on. Installations nest (each undo restores what
its own install found), so undo them in reverse order.

>>> import tensorflow as tf
>>> import tf1_schedules
>>> with swap_schedules():
...     tf.compat.v1.train.exponential_decay is tf1_schedules.exponential_decay
True
>>> tf.compat.v1.train.exponential_decay is tf1_schedules.exponential_decay
False
"""
import tensorflow as tf

from tf1_schedules.legacy._handle import Installation
from tf1_schedules.schedules import decay

__all__ = ["NAMES", "ORIGINALS", "swap_schedules"]

# The nine TF1 decays, plus `piecewise_constant_decay`, TF1's second name
# for `piecewise_constant`.
NAMES = tuple(decay.__all__)

# name -> the function object found on `tf.compat.v1.train` by the first
# active swap (empty when no swap is active).
ORIGINALS = {}
_ACTIVE = []


def _replacements():
    return {name: getattr(decay, name) for name in NAMES}


def swap_schedules():
    """Replaces `tf.compat.v1.train.<decay>` by this package's functions.

    Returns:
      An `Installation`; `undo()` (or leaving its ``with`` block) restores
      the exact function objects that were there before.
    """
    module = tf.compat.v1.train
    found = {name: getattr(module, name) for name in NAMES}
    for name, function in _replacements().items():
        setattr(module, name, function)
    if not _ACTIVE:
        ORIGINALS.update(found)
    token = object()
    _ACTIVE.append(token)

    def undo():
        for name, function in found.items():
            setattr(module, name, function)
        _ACTIVE.remove(token)
        if not _ACTIVE:
            ORIGINALS.clear()

    return Installation("swap_schedules", undo,
                        detail="tf.compat.v1.train." + ",".join(NAMES))
