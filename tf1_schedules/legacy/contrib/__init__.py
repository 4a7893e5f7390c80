"""`tensorflow.contrib` for training code, on TF 2.x public APIs and tf-slim.

`tf1_schedules.legacy.install_contrib()` (or the launcher) makes this
package importable as `tensorflow.contrib` and attaches it as `tf.contrib`
and `tf.compat.v1.contrib`. What it provides (`PROVIDED`):

- `slim`: tf-slim itself (`tf_slim`, after `tf1_schedules.slim.repairs.patch()`),
  so `tensorflow.contrib.slim.nets` etc. are tf-slim's modules;
- `framework`: `arg_scope`, `get_variables_to_restore`,
  `assign_from_checkpoint_fn`, `get_or_create_global_step`, ...;
- `layers`: tf-slim's layers, initializers, regularizers, `optimize_loss`;
- `training`: `HParams`;
- `mixed_precision`: the loss-scale managers and `LossScaleOptimizer`;
- `opt`: `AdamWOptimizer`, `MomentumWOptimizer`,
  `extend_with_decoupled_weight_decay`, `MovingAverageOptimizer`;
- `quantize`: importable; its graph rewrites raise `NotImplementedError`.

Any other ``import tensorflow.contrib.<name>`` / ``from tensorflow.contrib
import <name>`` raises `ModuleNotFoundError` (an `ImportError`) naming the
module and listing what is provided; ``tf.contrib.<name>`` raises
`AttributeError` with the same message (so `hasattr` keeps working).
"""
import importlib
import importlib.util

__all__ = ["PROVIDED", "not_provided", "resolve"]

# `tensorflow.contrib.<key>` is the module named by the value.
PROVIDED = {
    "framework": f"{__name__}.framework",
    "layers": f"{__name__}.layers",
    "mixed_precision": f"{__name__}.mixed_precision",
    "opt": f"{__name__}.opt",
    "quantize": f"{__name__}.quantize",
    "slim": "tf_slim",
    "training": f"{__name__}.training",
}

# Where the most-used parts that are not provided went.
_MOVED = {
    "data": "tf.data / tf.data.experimental",
    "distribute": "tf.distribute",
    "eager": "tf.compat.v1.enable_eager_execution / TF 2.x eager mode",
    "estimator": "tf.estimator (TF <= 2.15) or Keras",
    "keras": "tf.keras / tf_keras",
    "learn": "tf.estimator (TF <= 2.15) or Keras",
    "lookup": "tf.lookup",
    "losses": "tf.compat.v1.losses or tensorflow.contrib.slim.losses",
    "metrics": "tf.compat.v1.metrics or tensorflow.contrib.slim.metrics",
    "rnn": "tf.compat.v1.nn.rnn_cell or tf.keras.layers",
    "summary": "tf.summary / tf.compat.v1.summary",
    "tpu": "tf.compat.v1.tpu / tf.distribute.TPUStrategy",
}

_PROVIDED_TEXT = ", ".join(f"tensorflow.contrib.{name}" for name in PROVIDED)


def _message(fullname):
    parts = fullname.split(".")
    top = parts[parts.index("contrib") + 1] if "contrib" in parts[:-1] else ""
    hint = f" ({top} moved to {_MOVED[top]})" if top in _MOVED else ""
    return (f"{fullname} is not provided: TensorFlow 2.x has no "
            f"tensorflow.contrib, and tf1_schedules provides only "
            f"{_PROVIDED_TEXT}{hint}.")


def not_provided(fullname):
    """The `ModuleNotFoundError` for a `tensorflow.contrib` module we lack.

    Its `name` is the user-facing ``tensorflow.contrib...`` name.
    """
    return ModuleNotFoundError(_message(fullname), name=fullname)


def resolve(subname, fullname):
    """The module name that `tensorflow.contrib.<subname>` stands for.

    Args:
      subname: the dotted part after ``tensorflow.contrib.`` (``slim.nets``).
      fullname: the name being imported, for the error message.

    Raises:
      ModuleNotFoundError: for anything not provided (`not_provided`).
    """
    top, _, rest = subname.partition(".")
    if top not in PROVIDED:
        raise not_provided(fullname)
    target = PROVIDED[top] + (f".{rest}" if rest else "")
    if rest and not _exists(target):
        raise not_provided(fullname)
    return target


def _exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, AttributeError, ValueError):
        return False  # a parent that is not a package


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in PROVIDED:
        # AttributeError, not ImportError: `getattr(module, name, default)`
        # and `hasattr` (pytest, inspect, mock) must keep working; the import
        # forms raise `not_provided` (see `_contrib_finder`).
        raise AttributeError(_message(f"tensorflow.contrib.{name}"),
                             name=name)
    module = importlib.import_module(PROVIDED[name])
    globals()[name] = module
    return module


def __dir__():
    return sorted(set(globals()) | set(PROVIDED))
