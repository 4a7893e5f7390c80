"""`install_contrib()`: makes `tensorflow.contrib` importable again.

TensorFlow 2.x removed `tensorflow.contrib`. `install_contrib()` maps it
onto `tf1_schedules.legacy.contrib` (see that package for what is
provided) so that every form TF1 training code uses works unchanged::

    import tensorflow.contrib
    import tensorflow.contrib.slim as slim
    from tensorflow.contrib import quantize as contrib_quantize
    from tensorflow.contrib.slim.nets import resnet_v1
    tf.contrib.slim, tf.compat.v1.contrib.framework

How (the TF internals this touches, and why it is safe):

- `sys.modules["tensorflow.contrib"]` and ``["tensorflow.compat.v1.contrib"]``
  are set to the `tf1_schedules.legacy.contrib` package, and `contrib` is
  set as an attribute of the `tensorflow` module and of the
  `tensorflow.compat.v1` module objects (TF 2.x has two wrappers of it:
  `tf.compat.v1` and the one ``import tensorflow.compat.v1`` binds). TF 2.x
  has none of these names, so nothing of TF's is replaced.
- A `sys.meta_path` finder answers the submodule imports
  (``tensorflow.contrib.slim.nets`` is `tf_slim.nets`): its loader hands
  back the already-importable module object itself (no second copy; the
  module's own `__spec__` is put back after the import system overwrote
  it). Unknown names raise `ModuleNotFoundError` naming the module and
  listing what is provided.
- `tf1_schedules.slim.repairs.patch()` runs first, so `contrib.slim`
  works on TF 2.16+. Those repairs stay after `undo()` (they only fill
  entries TF removed).

`undo()` takes out the finder, every ``tensorflow.contrib*`` module entry
and the `contrib` attributes this call added. A second `install_contrib()`
while one is active adds nothing (its handle's `undo()` does nothing). On a
TensorFlow that still has its own `tensorflow.contrib`, nothing is changed.

>>> import tensorflow as tf
>>> with install_contrib():
...     from tensorflow.contrib import training
...     training.HParams(lr=0.1).parse("lr=0.5").lr
0.5
>>> hasattr(tf, "contrib")
False
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading

import tensorflow as tf

from tf1_schedules.legacy._handle import Installation

__all__ = ["install_contrib", "PREFIXES"]

_PACKAGE = "tf1_schedules.legacy.contrib"
# The import names that mean the contrib namespace.
PREFIXES = ("tensorflow.contrib", "tensorflow.compat.v1.contrib")

_LOCK = threading.Lock()
_ACTIVE = []  # the active installation's Installation, at most one


class _AliasLoader(importlib.abc.Loader):
    """Loads a name as an existing module object (no second copy)."""

    def __init__(self, target):
        self._target = target
        self._spec = None

    def create_module(self, spec):
        module = importlib.import_module(self._target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module):
        # The import system set `__spec__` to the alias's spec; the module
        # keeps its own (reload, pickling and relative imports use it).
        module.__spec__ = self._spec


class _ContribFinder(importlib.abc.MetaPathFinder):
    """Resolves ``tensorflow.contrib[.X]`` to `tf1_schedules.legacy.contrib`."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(("tensorflow.", _PACKAGE + ".")):
            return None  # every other import: one string test
        contrib = importlib.import_module(_PACKAGE)
        for prefix in PREFIXES:
            if fullname == prefix or fullname.startswith(prefix + "."):
                rest = fullname[len(prefix) + 1:]
                name = contrib.resolve(rest, fullname) if rest else _PACKAGE
                # is_package=False: the import system then leaves the
                # module's own `__path__` alone.
                return importlib.machinery.ModuleSpec(
                    fullname, _AliasLoader(name), is_package=False)
        if fullname.startswith(_PACKAGE + "."):
            # ``from tensorflow.contrib import foo`` imports
            # ``tf1_schedules.legacy.contrib.foo``: say what is provided.
            top = fullname[len(_PACKAGE) + 1:].partition(".")[0]
            if top not in contrib.PROVIDED and not top.startswith("_"):
                raise contrib.not_provided(f"tensorflow.contrib.{top}")
        return None


def _native_contrib():
    """True on a TensorFlow that has its own `tensorflow.contrib`."""
    if any(isinstance(f, _ContribFinder) for f in sys.meta_path):
        return False
    try:
        return importlib.util.find_spec("tensorflow.contrib") is not None
    except (ImportError, ValueError):
        return False


def _v1_modules():
    """Every module object that stands for `tensorflow.compat.v1`."""
    importlib.import_module("tensorflow.compat.v1")
    found = []
    for module in (tf.compat.v1, sys.modules.get("tensorflow.compat.v1"),
                   sys.modules.get("tensorflow._api.v2.compat.v1")):
        if module is not None and all(module is not m for m in found):
            found.append(module)
    return found


def _attach(package):
    """Sets the `contrib` attributes; returns the undo for them."""
    owners = [tf] + _v1_modules()
    previous = []
    for owner in owners:
        previous.append((owner, hasattr(owner, "contrib"),
                         getattr(owner, "contrib", None)))
        setattr(owner, "contrib", package)

    def undo():
        for owner, had, value in reversed(previous):
            if getattr(owner, "contrib", None) is not package:
                continue  # replaced by someone else since: leave it
            if had:
                setattr(owner, "contrib", value)
            else:
                delattr(owner, "contrib")
    return undo


def _is_contrib_name(name):
    return any(name == p or name.startswith(p + ".") for p in PREFIXES)


def _install():
    from tf1_schedules.slim import repairs

    repairs.patch()
    package = importlib.import_module(_PACKAGE)
    before = {name for name in sys.modules if _is_contrib_name(name)}
    finder = _ContribFinder()
    sys.meta_path.insert(0, finder)
    for prefix in PREFIXES:
        sys.modules.setdefault(prefix, package)
    detach = _attach(package)

    def undo():
        with _LOCK:
            detach()
            for name in [n for n in sys.modules if _is_contrib_name(n)]:
                if name not in before:
                    del sys.modules[name]
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
            _ACTIVE.clear()

    return Installation("contrib", undo, detail="tensorflow.contrib")


def install_contrib():
    """Makes `tensorflow.contrib` importable (see the module docstring).

    Returns:
      An `Installation`: `undo()` (or leaving its ``with`` block) removes
      what this call added. Idempotent: while one installation is active, a
      second call returns a handle whose `undo()` changes nothing.
    """
    with _LOCK:
        if _ACTIVE:
            return Installation("contrib", detail="already installed")
        if _native_contrib():
            return Installation("contrib", detail="TensorFlow's own kept")
        handle = _install()
        _ACTIVE.append(handle)
        return handle
