"""Opt-in: the TF1 namespace for the user's own code.

`tf1_namespace(root)` makes ``import tensorflow as tf`` (and ``from
tensorflow import x``) bind `tensorflow.compat.v1`, with `contrib` attached,
in modules whose file lies under `root` -- the script's own tree -- so
2018-era code (`tf.Session`, `tf.train.exponential_decay`,
`tf.summary.FileWriter`, `tf.contrib.slim`, `tf.layers.dense`) runs
unchanged. Everything else keeps the real `tensorflow`: installed libraries
(anything in a ``site-packages`` / ``dist-packages`` directory or the
interpreter's library paths, even when a virtual environment lives inside
`root`), the standard library, this package, and code without a
``__file__``.

How: `builtins.__import__` is wrapped. The wrapper runs the real import
first (so `sys.modules` and every library see the real TensorFlow), then, for
the top-level name ``tensorflow`` only, hands the importing module
`tensorflow.compat.v1` when the importer's ``__file__`` (from the globals the
import statement passes) is in scope. ``import tensorflow.compat.v1 as tf``
and ``import tensorflow.contrib.slim as slim`` are untouched (they bind
through the real package). Modules imported before the install keep their
binding. `tf.layers`, which TF 2.16+ routes to Keras 3 (it has none of
TF1's layers), is pointed at tf_keras's TF1 layers while the namespace is
on, if tf_keras is installed. `undo()` puts the previous `__import__` and
`tf.layers` back and detaches `contrib`.

>>> import os, tempfile, runpy
>>> import tensorflow as real_tf
>>> root = tempfile.mkdtemp()
>>> path = os.path.join(root, "old.py")
>>> with open(path, "w") as f:
...     _ = f.write("import tensorflow as tf\\nSESSION = tf.Session\\n")
>>> with tf1_namespace(root, contrib=False):
...     runpy.run_path(path)["SESSION"] is real_tf.compat.v1.Session
True
"""
import builtins
import importlib
import os
import site
import sysconfig

import tensorflow as tf

from tf1_schedules._checks import fail
from tf1_schedules.legacy._handle import Installation

__all__ = ["in_scope", "tf1_namespace"]

_LIBRARY_DIRS = ("site-packages", "dist-packages")
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def _excluded_roots():
    # The library directories only ("data" / "scripts" can be `/usr`).
    paths = {sysconfig.get_paths().get(key)
             for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    paths.update(getattr(site, "getsitepackages", lambda: [])())
    user_site = getattr(site, "getusersitepackages", lambda: None)()
    if user_site:
        paths.add(user_site)
    paths.add(_PACKAGE_DIR)
    paths.discard(None)
    return tuple(os.path.realpath(p) for p in paths if p)


def _is_under(path, directory):
    try:
        return os.path.commonpath([path, directory]) == directory
    except ValueError:  # different drives
        return False


def in_scope(filename, root, excluded=None):
    """Whether the module file `filename` is the user's code under `root`.

    >>> in_scope("/src/app/model.py", "/src/app", excluded=())
    True
    >>> in_scope("/src/app/.venv/lib/python3.11/site-packages/tf_slim/x.py",
    ...          "/src/app", excluded=())
    False
    >>> in_scope("/usr/lib/python3.11/os.py", "/src/app", excluded=())
    False
    """
    path = os.path.realpath(filename)
    root = os.path.realpath(root)
    if not _is_under(path, root):
        return False
    relative = os.path.relpath(path, root).split(os.sep)
    if any(part in _LIBRARY_DIRS for part in relative):
        return False
    excluded = _excluded_roots() if excluded is None else excluded
    return not any(_is_under(path, directory) for directory in excluded)


def _check_root(root):
    if not isinstance(root, (str, os.PathLike)):
        fail("tf1_namespace", "root", "a directory path (str or os.PathLike)",
             root, TypeError)
    if not os.path.isdir(root):
        fail("tf1_namespace", "root", "an existing directory", root)
    return os.path.realpath(root)


def _attach_contrib(v1):
    """Sets `tf.compat.v1.contrib`; returns the undo for it."""
    contrib = importlib.import_module("tensorflow.contrib")
    had, previous = hasattr(v1, "contrib"), getattr(v1, "contrib", None)
    setattr(v1, "contrib", contrib)

    def undo():
        if had:
            setattr(v1, "contrib", previous)
        else:
            delattr(v1, "contrib")
    return undo


_TF1_LAYERS = "tf_keras.api._v1.keras.__internal__.legacy.layers"


def _attach_tf1_layers(v1):
    """Points `tf.compat.v1.layers` at TF1's layers when it has none.

    TF 2.16+ routes `tf.compat.v1.layers` to Keras 3, which has no TF1
    layers (`tf.layers.dense` raises ``AttributeError: `dense` is not
    available with Keras 3``) unless ``TF_USE_LEGACY_KERAS=1`` was set before
    TensorFlow was imported. tf_keras ships them (the same classes
    ``TF_USE_LEGACY_KERAS=1`` would route to), so the attribute, which can
    only fail as it is, is pointed there. Returns the undo.
    """
    previous = v1.layers
    try:
        previous.dense  # noqa: B018 (the probe)
        return lambda: None
    except (AttributeError, ImportError):
        pass
    try:
        layers = importlib.import_module(_TF1_LAYERS)
    except ImportError:  # no tf_keras: tf.layers stays unavailable
        return lambda: None
    setattr(v1, "layers", layers)
    return lambda: setattr(v1, "layers", previous)


def _scoped_import(original, root, v1):
    excluded = _excluded_roots()
    verdicts = {}

    def scoped(filename):
        if filename not in verdicts:
            verdicts[filename] = in_scope(filename, root, excluded)
        return verdicts[filename]

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        module = original(name, globals, locals, fromlist, level)
        if name != "tensorflow" or level != 0 or not globals:
            return module
        filename = globals.get("__file__")
        if isinstance(filename, str) and scoped(filename):
            return v1
        return module
    return __import__


def tf1_namespace(root, *, contrib=True):
    """Gives modules under `root` `tensorflow.compat.v1` as `tensorflow`.

    Args:
      root: the directory of the user's code (the launcher passes the
        script's directory).
      contrib: attach `tensorflow.contrib` as `tf.contrib` (needs
        `tf1_schedules.legacy.install_contrib()` first, else this raises
        `ModuleNotFoundError`).

    Returns:
      An `Installation`; `undo()` restores the previous `builtins.__import__`
      and `tf.compat.v1.layers` (undo nested installations in reverse
      order).
    """
    root = _check_root(root)
    if not isinstance(contrib, bool):
        fail("tf1_namespace", "contrib", "a bool", contrib, TypeError)
    v1 = tf.compat.v1
    undo_contrib = _attach_contrib(v1) if contrib else (lambda: None)
    undo_layers = _attach_tf1_layers(v1)
    original = builtins.__import__
    builtins.__import__ = _scoped_import(original, root, v1)

    def undo():
        builtins.__import__ = original
        undo_layers()
        undo_contrib()

    return Installation("tf1_namespace", undo, detail=root)
