"""Makes tf-slim 1.1.0 usable on TensorFlow 2.16 - 2.21.

`patch()` applies the repairs and returns a `PatchReport`; importing this
module changes nothing (`import tf1_schedules.slim_compat` is the import
line that patches). Every repair is idempotent, sets only entries that are
absent (kinds 1-2) or wraps an entry not yet wrapped (kinds 3-4), and is
logged on the ``tf1_schedules.slim.repairs`` logger. Set the environment variable
``TF1_SCHEDULES_NO_SLIM_PATCH=1`` to disable them.

This is the only module of tf1_schedules (with `tf1_schedules.legacy`) that
touches TensorFlow internals (`tensorflow.python.*` module objects and
`sys.modules`); each repair below says what TensorFlow removed. Nothing is patched on a TensorFlow that still
has the original entries.

Four kinds of repair:

1. Module aliases. TF's `tensorflow/python/layers/normalization.py`
   lazy-loads `tf_keras.legacy_tf_layers.normalization`, which tf_keras
   >= 2.16 ships only as `tf_keras.src.legacy_tf_layers.normalization`, so
   `slim.batch_norm` fails with ``ModuleNotFoundError``. Each submodule name
   is pointed at the already-imported `tf_keras.src` module object (aliasing
   only the parent package would make Python load a second copy of
   `normalization.py`, with a second `BatchNormalization` class).
2. Removed private attributes (`ops.Tensor`, `control_flow_ops.cond`, ...)
   that tf-slim still calls, restored to point at their public equivalents.
3. tf-slim code that NumPy >= 1.23 rejects: `assign_from_checkpoint` indexes
   a checkpoint array with a *list* of slices (see `_SliceListArray`).
4. Eager guards. TF 2 turned eager execution on by default; tf-slim's
   `slim.learning.train` (a `tf.compat.v1.train.Supervisor` loop) then trains
   zero steps: the graph is built under `tf.Graph().as_default()`, but the
   Supervisor's service threads run eagerly and die with ``global_step:0 is
   out of scope``. `slim.learning.train` and
   `Supervisor.start_standard_services` (when they would start those
   threads, i.e. with a `logdir`) raise `EagerTrainingError` instead;
   ``patch(disable_eager=True)`` turns eager execution off for the caller.
"""
import dataclasses
import functools
import importlib
import importlib.util
import inspect
import logging
import os
import sys

import numpy as np
import tensorflow as tf

__all__ = ["ENV_DISABLE", "EagerTrainingError", "PatchReport", "patch",
           "LAST_REPORT"]

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


# (module, "attribute" or "Class.method", predicate on the call's arguments):
# calls that must not run with eager execution on by default. TF's Supervisor
# starts service threads (summaries, step counter, checkpoints) when it has a
# `logdir`; threads do not inherit the caller's `Graph.as_default()`, so they
# run eagerly and fail. Without a `logdir` nothing is started and the loop
# works, so those calls pass through. Wrapping only adds this check.
_EAGER_GUARDS = (
    ("tf_slim.learning", "train", "slim.learning.train",
     lambda args: bool(args.get("logdir")) and args.get("is_chief", True)),
    ("tensorflow.python.training.supervisor",
     "Supervisor.start_standard_services",
     "tf.compat.v1.train.Supervisor.start_standard_services",
     lambda args: bool(getattr(args["self"], "_logdir", None))),
)
_GUARD_MARK = "_tf1_schedules_eager_guard"


class EagerTrainingError(RuntimeError):
    """A TF1 Supervisor training loop was started with eager execution on."""


@dataclasses.dataclass(frozen=True)
class PatchReport:
    """What one `patch()` call did.

    Attributes:
      aliased: `sys.modules` names this call set (``tf_keras.legacy_tf_layers...``).
      restored: ``module.attribute`` names this call set.
      present: entries that already existed and were left alone.
      unavailable: entries that could not be repaired (e.g. no tf_keras).
      guarded: functions this call wrapped with the eager check.
      eager_disabled: True when this call turned eager execution off
        (``patch(disable_eager=True)`` with eager execution on).
      disabled: True when ``TF1_SCHEDULES_NO_SLIM_PATCH`` disabled the patch.
    """

    aliased: tuple = ()
    restored: tuple = ()
    present: tuple = ()
    unavailable: tuple = ()
    disabled: bool = False
    guarded: tuple = ()
    eager_disabled: bool = False

    @property
    def changed(self):
        """True when this call set at least one entry."""
        return bool(self.aliased or self.restored or self.guarded
                    or self.eager_disabled)

    def __str__(self):
        if self.disabled:
            return f"slim_compat: disabled by {ENV_DISABLE}=1"
        lines = ["slim_compat:"]
        for title, names in (("aliased", self.aliased),
                             ("restored", self.restored),
                             ("eager-guarded", self.guarded),
                             ("already present", self.present),
                             ("unavailable", self.unavailable)):
            lines.append(f"  {title} ({len(names)}): "
                         + (", ".join(names) if names else "-"))
        if self.eager_disabled:
            lines.append("  eager execution: disabled by this call")
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


def _eager_by_default():
    """True when new threads (and code outside any graph) run eagerly.

    `tf.executing_eagerly()` is False inside `tf.Graph().as_default()` even
    when eager execution is on, so the program-wide default is read instead
    (`tf.compat.v1.disable_eager_execution()` sets it to graph mode).
    """
    from tensorflow.python.eager import context  # pylint: disable=g-import-not-at-top
    return context.default_execution_mode == context.EAGER_MODE


def _eager_error(name):
    return EagerTrainingError(
        f"{name}: eager execution is enabled, and this TF1 training loop "
        "(a tf.compat.v1.train.Supervisor with a logdir) would train zero "
        "steps: its service threads run eagerly and cannot use the graph's "
        "`global_step`. Call "
        "`tf.compat.v1.disable_eager_execution()` at the start of the "
        "program (before building the graph), or run the script with "
        "`python -m tf1_schedules run --tf1 SCRIPT`, or call "
        "`tf1_schedules.slim.repairs.patch(disable_eager=True)`.")


def _guard(function, name, starts_threads):
    """`function` preceded by the eager check (same signature, via wraps).

    `starts_threads(arguments)` says whether this call would start the
    Supervisor's service threads (`arguments`: parameter name -> value).
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        if _eager_by_default():
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            if starts_threads(bound.arguments):
                raise _eager_error(name)
        return function(*args, **kwargs)
    setattr(guarded, _GUARD_MARK, True)
    return guarded


def _install_eager_guards():
    """Wraps each `_EAGER_GUARDS` entry once.

    Returns (guarded, present, unavailable) name tuples.
    """
    guarded, present, unavailable = [], [], []
    for module_name, path, label, starts_threads in _EAGER_GUARDS:
        name = f"{module_name}.{path}"
        try:
            owner = importlib.import_module(module_name)
        except ImportError:  # no tf_slim: nothing to guard
            unavailable.append(name)
            continue
        *parents, attribute = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        function = getattr(owner, attribute)
        if getattr(function, _GUARD_MARK, False):
            present.append(name)
            continue
        setattr(owner, attribute, _guard(function, label, starts_threads))
        guarded.append(name)
    return tuple(guarded), tuple(present), tuple(unavailable)


# `tf_slim.ops.variables.assign_from_checkpoint` restores a partitioned
# variable with ``ckpt_value[slice_dims]``, `slice_dims` a list of slices.
# NumPy 1.23 removed list-as-tuple indexing (IndexError), so restoring any
# PartitionedVariable fails. The module's `tf` name is given a view of
# `tf.compat.v1` whose `train.NewCheckpointReader` returns arrays that take
# such a list as the tuple it meant; everything else is `tf.compat.v1` itself.
_NUMPY_INDEX_MODULE = "tf_slim.ops.variables"
_NUMPY_INDEX_REPAIR = _NUMPY_INDEX_MODULE + ".tf.train.NewCheckpointReader"


class _SliceListArray(np.ndarray):
    """An ndarray whose ``a[[slice, ...]]`` means ``a[(slice, ...)]``."""

    def __getitem__(self, index):
        if isinstance(index, list) and all(isinstance(i, slice)
                                           for i in index):
            index = tuple(index)
        return np.asarray(super().__getitem__(index))


class _SliceListReader:
    """A checkpoint reader whose `get_tensor` arrays are `_SliceListArray`s."""

    def __init__(self, reader):
        self._reader = reader

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def get_tensor(self, name):
        value = self._reader.get_tensor(name)
        if isinstance(value, np.ndarray):
            return value.view(_SliceListArray)
        return value


class _ModuleView:
    """`module` with some attributes replaced (`overrides`)."""

    def __init__(self, module, **overrides):
        self._wrapped_module = module
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._wrapped_module, name)


def _repair_checkpoint_indexing():
    """Gives `tf_slim.ops.variables` the `_ModuleView` of `tf.compat.v1`.

    Returns (restored, present, unavailable) name tuples.
    """
    try:
        module = importlib.import_module(_NUMPY_INDEX_MODULE)
    except ImportError:
        return (), (), (_NUMPY_INDEX_REPAIR,)
    if isinstance(module.tf, _ModuleView):
        return (), (_NUMPY_INDEX_REPAIR,), ()
    v1 = module.tf
    train = _ModuleView(v1.train, NewCheckpointReader=lambda path: (
        _SliceListReader(v1.train.NewCheckpointReader(path))))
    module.tf = _ModuleView(v1, train=train)
    return (_NUMPY_INDEX_REPAIR,), (), ()


def _disable_eager():
    """Turns eager execution off if it is on; True when this call did."""
    if not _eager_by_default():
        return False
    tf.compat.v1.disable_eager_execution()
    return True


def patch(*, disable_eager=False):
    """Applies the tf-slim repairs; safe to call any number of times.

    Only absent entries are set, so a second call (or a TF that never removed
    them) changes nothing. Disabled by ``TF1_SCHEDULES_NO_SLIM_PATCH=1``.

    Args:
      disable_eager: also call `tf.compat.v1.disable_eager_execution()` (when
        eager execution is on), as TF1 code such as `slim.learning.train`
        needs; call `patch` at the start of the program when using it. By
        default eager execution is left alone and `slim.learning.train`
        raises `EagerTrainingError` under it. With
        ``TF1_SCHEDULES_NO_SLIM_PATCH=1`` nothing is done, this included.

    Returns:
      A `PatchReport` of what this call set, what was already present and
      what could not be repaired. Graph mode and eager mode alike: the
      repairs are Python module state, not ops.
    """
    global LAST_REPORT
    if not isinstance(disable_eager, bool):
        raise TypeError("patch: `disable_eager` must be a bool. Received: "
                        f"disable_eager={disable_eager!r}.")
    if _disabled():
        report = PatchReport(disabled=True)
        _LOG.info("%s", report)
    else:
        aliased, present_m, unavailable = _alias_legacy_layers()
        restored, present_a = _restore_attributes()
        restored_n, present_n, unavailable_n = _repair_checkpoint_indexing()
        guarded, present_g, unavailable_g = _install_eager_guards()
        report = PatchReport(
            aliased, restored + restored_n,
            present_m + present_a + present_n + present_g,
            unavailable + unavailable_n + unavailable_g, guarded=guarded,
            eager_disabled=disable_eager and _disable_eager())
        if report.changed:
            _LOG.info("%s", report)
        if unavailable:
            _LOG.warning("slim_compat: could not alias %s (is tf_keras "
                         "installed?); slim.batch_norm will fail.",
                         ", ".join(unavailable))
    LAST_REPORT = report
    return report


LAST_REPORT = None
