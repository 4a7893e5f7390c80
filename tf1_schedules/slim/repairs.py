"""Makes tf-slim 1.1.0 usable on TensorFlow 2.16 - 2.21.

`patch()` applies the repairs and returns a `PatchReport`; importing this
module changes nothing (`import tf1_schedules.slim_compat` is the import
line that patches). Every repair
is idempotent, sets only entries that are absent, and is logged on the
``tf1_schedules.slim.repairs`` logger. Set the environment variable
``TF1_SCHEDULES_NO_SLIM_PATCH=1`` to disable them.

This is the only module of tf1_schedules (with `tf1_schedules.legacy`) that touches TensorFlow internals
(`tensorflow.python.*` module objects and `sys.modules`); each repair below
says what TensorFlow removed. Nothing is patched on a TensorFlow that still
has the original entries.

Two kinds of repair:

1. Module aliases. TF's `tensorflow/python/layers/normalization.py`
   lazy-loads `tf_keras.legacy_tf_layers.normalization`, which tf_keras
   >= 2.16 ships only as `tf_keras.src.legacy_tf_layers.normalization`, so
   `slim.batch_norm` fails with ``ModuleNotFoundError``. Each submodule name
   is pointed at the already-imported `tf_keras.src` module object (aliasing
   only the parent package would make Python load a second copy of
   `normalization.py`, with a second `BatchNormalization` class).
2. Removed private attributes (`ops.Tensor`, `control_flow_ops.cond`, ...)
   that tf-slim still calls, restored to point at their public equivalents.
"""
import dataclasses
import importlib
import importlib.util
import logging
import os
import sys

import tensorflow as tf

__all__ = ["ENV_DISABLE", "PatchReport", "patch", "LAST_REPORT"]

ENV_DISABLE = "TF1_SCHEDULES_NO_SLIM_PATCH"

_LOG = logging.getLogger(__name__)

_LEGACY_PACKAGE = "tf_keras.legacy_tf_layers"
_SOURCE_PACKAGE = "tf_keras.src.legacy_tf_layers"
# `normalization` is the one TF lazy-loads (essential); the others are
# aliased too so that any `tf_keras.legacy_tf_layers.<sub>` import resolves
# to the one module object tf_keras itself uses.
_LEGACY_SUBMODULES = ("base", "core", "convolutional", "pooling",
                      "normalization")

# (module, attribute, public replacement), one per attribute TF removed.
_ATTRIBUTE_REPAIRS = (
    # TF 2.14+ moved `Tensor` to `framework/tensor.py` and dropped the
    # `ops.Tensor` re-export; slim's `batch_norm(updates_collections=None)`,
    # `batch_norm` on 2-D inputs, `create_train_op(gradient_multipliers=)`
    # and `optimize_loss` use it for isinstance checks.
    ("tensorflow.python.framework.ops", "Tensor", tf.Tensor),
    # TF 2.14+ moved `IndexedSlices` to `framework/indexed_slices.py`;
    # slim's gradient clipping / multiplying / summaries use `ops.IndexedSlices`.
    ("tensorflow.python.framework.ops", "IndexedSlices", tf.IndexedSlices),
    # TF 2.15+ removed the module-level `variable_scope.variable` function;
    # `slim.local_variable` / `slim.global_variable` call it with
    # `collections=` and `use_resource=`, which `tf.compat.v1.Variable` takes.
    ("tensorflow.python.ops.variable_scope", "variable",
     tf.compat.v1.Variable),
    # TF 2.14+ moved `cond`, `case`, `while_loop` and `Assert` out of
    # `control_flow_ops` (into cond.py, control_flow_case.py, while_loop.py
    # and control_flow_assert.py) without re-exports; slim's tfexample_decoder
    # (`case`, `cond`), `batch_norm` with a tensor `is_training` (`cond`),
    # histogram metrics (`Assert`) and metric_learning (`while_loop`) use them.
    ("tensorflow.python.ops.control_flow_ops", "cond", tf.compat.v1.cond),
    ("tensorflow.python.ops.control_flow_ops", "case", tf.compat.v1.case),
    ("tensorflow.python.ops.control_flow_ops", "while_loop",
     tf.compat.v1.while_loop),
    ("tensorflow.python.ops.control_flow_ops", "Assert", tf.debugging.Assert),
    # TF 2.14+ moved `stack`/`unstack` to `array_ops_stack.py`; slim's
    # layers, metrics and tfexample_decoder call `array_ops.stack`/`unstack`.
    ("tensorflow.python.ops.array_ops", "stack", tf.stack),
    ("tensorflow.python.ops.array_ops", "unstack", tf.unstack),
)


@dataclasses.dataclass(frozen=True)
class PatchReport:
    """What one `patch()` call did.

    Attributes:
      aliased: `sys.modules` names this call set (``tf_keras.legacy_tf_layers...``).
      restored: ``module.attribute`` names this call set.
      present: entries that already existed and were left alone.
      unavailable: entries that could not be repaired (e.g. no tf_keras).
      disabled: True when ``TF1_SCHEDULES_NO_SLIM_PATCH`` disabled the patch.
    """

    aliased: tuple = ()
    restored: tuple = ()
    present: tuple = ()
    unavailable: tuple = ()
    disabled: bool = False

    @property
    def changed(self):
        """True when this call set at least one entry."""
        return bool(self.aliased or self.restored)

    def __str__(self):
        if self.disabled:
            return f"slim_compat: disabled by {ENV_DISABLE}=1"
        lines = ["slim_compat:"]
        for title, names in (("aliased", self.aliased),
                             ("restored", self.restored),
                             ("already present", self.present),
                             ("unavailable", self.unavailable)):
            lines.append(f"  {title} ({len(names)}): "
                         + (", ".join(names) if names else "-"))
        return "\n".join(lines)


def _disabled():
    return os.environ.get(ENV_DISABLE, "").strip().lower() not in (
        "", "0", "false", "no")


def _module_available(name):
    """True when `name` imports (importing it if needed)."""
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _legacy_layers_native():
    """True when tf_keras itself ships `tf_keras.legacy_tf_layers`."""
    parent = sys.modules.get(_LEGACY_PACKAGE)
    if parent is not None:  # ours (or someone's) alias has another __name__
        return parent.__name__ == _LEGACY_PACKAGE
    try:
        return importlib.util.find_spec(_LEGACY_PACKAGE) is not None
    except ImportError:  # no tf_keras at all
        return False


def _alias_legacy_layers():
    """Aliases `tf_keras.legacy_tf_layers[.<sub>]` -> `tf_keras.src...`.

    Returns (aliased, present, unavailable) name tuples.
    """
    names = (_LEGACY_PACKAGE,) + tuple(
        f"{_LEGACY_PACKAGE}.{sub}" for sub in _LEGACY_SUBMODULES)
    if _legacy_layers_native():
        return (), (), ()
    aliased, present, unavailable = [], [], []
    for name in names:
        source = _SOURCE_PACKAGE + name[len(_LEGACY_PACKAGE):]
        if name in sys.modules:
            present.append(name)
        elif _module_available(source):
            sys.modules[name] = sys.modules[source]
            aliased.append(name)
        else:
            unavailable.append(name)
    return tuple(aliased), tuple(present), tuple(unavailable)


def _restore_attributes():
    """Sets each removed attribute of `_ATTRIBUTE_REPAIRS` that is absent.

    Returns (restored, present) name tuples.
    """
    restored, present = [], []
    for module_name, attribute, replacement in _ATTRIBUTE_REPAIRS:
        module = importlib.import_module(module_name)
        name = f"{module_name}.{attribute}"
        if hasattr(module, attribute):
            present.append(name)
        else:
            setattr(module, attribute, replacement)
            restored.append(name)
    return tuple(restored), tuple(present)


def patch():
    """Applies the tf-slim repairs; safe to call any number of times.

    Only absent entries are set, so a second call (or a TF that never removed
    them) changes nothing. Disabled by ``TF1_SCHEDULES_NO_SLIM_PATCH=1``.

    Returns:
      A `PatchReport` of what this call set, what was already present and
      what could not be repaired. Graph mode and eager mode alike: the
      repairs are Python module state, not ops.
    """
    global LAST_REPORT
    if _disabled():
        report = PatchReport(disabled=True)
        _LOG.info("%s", report)
    else:
        aliased, present_m, unavailable = _alias_legacy_layers()
        restored, present_a = _restore_attributes()
        report = PatchReport(aliased, restored, present_m + present_a,
                             unavailable)
        if report.changed:
            _LOG.info("%s", report)
        if unavailable:
            _LOG.warning("slim_compat: could not alias %s (is tf_keras "
                         "installed?); slim.batch_norm will fail.",
                         ", ".join(unavailable))
    LAST_REPORT = report
    return report


LAST_REPORT = None
