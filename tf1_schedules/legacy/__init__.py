"""Running legacy TF1 code unchanged on TensorFlow 2.x.

`install()` puts the pieces in place in one call and returns one handle
(``handle.undo()``, or use it as a context manager); each piece is also a
function of its own returning its own handle:

- `install_contrib()`: an importable `tensorflow.contrib` for training code
  (`tf1_schedules.legacy.contrib`); on by default.
- `tf1_behavior()`: `tf.compat.v1.disable_v2_behavior()` (graph mode, as
  `tf.Session`, the Supervisor and `slim.learning.train` need).
- `swap_schedules()`: `tf.compat.v1.train.*_decay` are this package's.
- `numpy_aliases()`: NumPy's removed `np.int`, `np.object`, ...,
  `ndarray.tostring`.
- `tf1_namespace(root)`: ``import tensorflow as tf`` in the user's own
  modules under `root` binds `tensorflow.compat.v1` (with `contrib`).

Importing this package changes nothing; `python -m tf1_schedules run
[flags] SCRIPT [args...]` (`tf1_schedules.legacy.launcher`) installs them
around a script.

>>> import tensorflow as tf
>>> import tf1_schedules
>>> with install(contrib=False, swap_schedules=True) as handle:
...     tf.compat.v1.train.cosine_decay is tf1_schedules.cosine_decay
True
>>> handle.active
False
>>> tf.compat.v1.train.cosine_decay is tf1_schedules.cosine_decay
False
"""
from tf1_schedules.legacy._handle import Installation

__all__ = ["Installation", "install", "install_contrib", "numpy_aliases",
           "swap_schedules", "tf1_behavior", "tf1_namespace"]

_FLAGS = ("contrib", "tf1_behavior", "swap_schedules", "numpy_aliases")


def install_contrib():
    """Makes `tensorflow.contrib` importable; returns its `Installation`."""
    # Imported here: the contrib package is imported only when asked for.
    from tf1_schedules.legacy._contrib_finder import install_contrib as run

    return run()


def tf1_behavior():
    """`tf.compat.v1.disable_v2_behavior()`, undoable.

    Call it before any graph or eager op is made (the launcher's ``--tf1``
    calls it before the script runs). If TF2 behaviour was on before,
    `undo()` turns it back on; TF allows that only while no global default
    graph exists, so `undo()` first drops the TF1-era default graph (as
    `tf.compat.v1.reset_default_graph()` does; it must not be called inside
    a ``graph.as_default()`` block).
    """
    import tensorflow as tf
    # `tf2.enabled()` is the flag `disable_v2_behavior` clears; TF has no
    # public getter for it (tf.executing_eagerly() is only one of its parts).
    from tensorflow.python import tf2

    was_enabled = tf2.enabled()
    tf.compat.v1.disable_v2_behavior()

    def undo():
        if was_enabled:
            tf.compat.v1.reset_default_graph()
            tf.compat.v1.enable_v2_behavior()

    return Installation("tf1_behavior", undo)


def swap_schedules():
    """See `tf1_schedules.legacy.swap.swap_schedules`."""
    from tf1_schedules.legacy.swap import swap_schedules as run

    return run()


def numpy_aliases():
    """See `tf1_schedules.legacy.numpy_aliases.numpy_aliases`."""
    from tf1_schedules.legacy.numpy_aliases import numpy_aliases as run

    return run()


def tf1_namespace(root, *, contrib=True):
    """See `tf1_schedules.legacy.namespace.tf1_namespace`."""
    from tf1_schedules.legacy.namespace import tf1_namespace as run

    return run(root, contrib=contrib)


# install()'s arguments shadow these names inside it.
_PIECES = dict(contrib=install_contrib, tf1_behavior=tf1_behavior,
               swap_schedules=swap_schedules, numpy_aliases=numpy_aliases)
_namespace = tf1_namespace


def _check(contrib, tf1_behavior, swap_schedules, numpy_aliases,
           tf1_namespace):
    import os

    from tf1_schedules._checks import fail

    values = dict(contrib=contrib, tf1_behavior=tf1_behavior,
                  swap_schedules=swap_schedules, numpy_aliases=numpy_aliases)
    for name, value in values.items():
        if not isinstance(value, bool):
            fail("install", name, "a bool", value, TypeError)
    if tf1_namespace is not None and not isinstance(
            tf1_namespace, (str, os.PathLike)):
        fail("install", "tf1_namespace",
             "None or the directory of the user's code", tf1_namespace,
             TypeError)
    if tf1_namespace is not None and not os.path.isdir(tf1_namespace):
        fail("install", "tf1_namespace", "an existing directory",
             tf1_namespace)


def install(*, contrib=True, tf1_behavior=False, swap_schedules=False,
            numpy_aliases=False, tf1_namespace=None):
    """Installs the chosen pieces; returns one `Installation` for all.

    Args:
      contrib: make `tensorflow.contrib` importable.
      tf1_behavior: `tf.compat.v1.disable_v2_behavior()`.
      swap_schedules: `tf.compat.v1.train.*_decay` become this package's.
      numpy_aliases: NumPy's removed aliases come back.
      tf1_namespace: None, or the directory whose modules get
        `tensorflow.compat.v1` for ``import tensorflow as tf`` (with
        `tf.contrib` when `contrib` is on).

    All arguments are checked before anything is installed; if a piece
    fails, the pieces already installed are undone and the error propagates.
    """
    _check(contrib, tf1_behavior, swap_schedules, numpy_aliases,
           tf1_namespace)
    chosen = dict(contrib=contrib, tf1_behavior=tf1_behavior,
                  swap_schedules=swap_schedules, numpy_aliases=numpy_aliases)
    steps = [_PIECES[name] for name in _FLAGS if chosen[name]]
    if tf1_namespace is not None:
        steps.append(lambda: _namespace(tf1_namespace, contrib=contrib))
    parts = []
    try:
        for step in steps:
            parts.append(step())
    except BaseException:
        Installation("install", parts=parts).undo()
        raise
    return Installation("install", parts=parts)
