"""Opt-in: NumPy's removed aliases, for old model code (`np.int`, ...).

NumPy 1.20 deprecated and 1.24 / 2.0 removed the aliases of builtins
(`np.int`, `np.float`, `np.bool`, `np.object`, ...), a few renamed functions
(`np.product`, `np.alltrue`, ...), the `np.float_`-style names and
`ndarray.tostring()` (2.3). 2018-2020 model code (`nets/mobilenet/
mobilenet_v3.py`'s `np.int`, `.tostring()` on image buffers) stops with
``AttributeError``. `numpy_aliases()` brings back the names *this* NumPy
lacks (a name it has, e.g. NumPy 2's `np.bool` = `np.bool_`, is left alone),
each to what it meant, and warns once per name and installation
(``DeprecationWarning``, pointing at the line that used it) telling the
modern spelling.

How: module names go through NumPy's own module ``__getattr__`` (NumPy 1.24+
answers removed names there with an error), which is wrapped, so a name costs
nothing until it is used and the warning fires on use. `ndarray` and
`numpy.generic` are C types whose ``__dict__`` is read-only from Python; the
`tostring` method is added to their type dictionary (reached through
`gc.get_referents` of the mapping proxy, then `PyType_Modified` so CPython's
attribute cache sees it). That is CPython-specific and touches nothing else
of the type; `undo()` deletes the entry again the same way.

>>> import numpy as np
>>> with numpy_aliases():
...     np.int is int, np.arange(2, dtype=np.int8).tostring()
(True, b'\\x00\\x01')
>>> hasattr(np, "int")
False
"""
import ctypes
import gc
import platform
import warnings

import numpy

from tf1_schedules.legacy._handle import Installation

__all__ = ["ALIASES", "numpy_aliases"]


def _asscalar(a):
    """NumPy's removed `asscalar(a)`: `a.item()`."""
    return a.item()


# name -> (value, modern spelling for the warning).
ALIASES = {
    "int": (int, "int"),
    "float": (float, "float"),
    "complex": (complex, "complex"),
    "object": (object, "object"),
    "bool": (bool, "bool"),
    "str": (str, "str"),
    "long": (int, "int"),
    "unicode": (str, "str"),
    "product": (numpy.prod, "np.prod"),
    "cumproduct": (numpy.cumprod, "np.cumprod"),
    "sometrue": (numpy.any, "np.any"),
    "alltrue": (numpy.all, "np.all"),
    "asscalar": (_asscalar, "a.item()"),
    "float_": (numpy.float64, "np.float64"),
    "complex_": (numpy.complex128, "np.complex128"),
    "unicode_": (numpy.str_, "np.str_"),
    "string_": (numpy.bytes_, "np.bytes_"),
    "bool8": (numpy.bool_, "np.bool_"),
    "int0": (numpy.intp, "np.intp"),
    "uint0": (numpy.uintp, "np.uintp"),
    "object0": (numpy.object_, "np.object_"),
    "round_": (numpy.round, "np.round"),
    "NaN": (numpy.nan, "np.nan"),
    "NAN": (numpy.nan, "np.nan"),
    "Inf": (numpy.inf, "np.inf"),
    "Infinity": (numpy.inf, "np.inf"),
    "infty": (numpy.inf, "np.inf"),
    "PINF": (numpy.inf, "np.inf"),
    "NINF": (-numpy.inf, "-np.inf"),
}

# The C types that had `tostring()` (arrays and NumPy scalars).
_TOSTRING_TYPES = (numpy.ndarray, numpy.generic)
_warned = set()


def _warn_once(name, modern):
    if name in _warned:
        return
    _warned.add(name)
    warnings.warn(
        f"np.{name} was removed from NumPy; tf1_schedules.legacy."
        f"numpy_aliases() provides it for old code. Use {modern} instead.",
        DeprecationWarning, stacklevel=3)


def _tostring(self, order="C"):
    """NumPy's removed `tostring(order='C')`: `tobytes(order)`."""
    _warn_once("ndarray.tostring", ".tobytes()")
    return self.tobytes(order)


def _type_dict(cls):
    # The dict behind the read-only `cls.__dict__` mapping proxy.
    (namespace,) = gc.get_referents(cls.__dict__)
    return namespace


def _type_modified(cls):
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))


def _install_module_names(missing):
    original = numpy.__dict__.get("__getattr__")

    def __getattr__(name):
        if name in missing:
            value, modern = missing[name]
            _warn_once(name, modern)
            return value
        if original is None:
            raise AttributeError(f"module 'numpy' has no attribute {name!r}")
        return original(name)

    numpy.__getattr__ = __getattr__

    def undo():
        if original is None:
            del numpy.__getattr__
        else:
            numpy.__getattr__ = original
    return undo


def _install_tostring():
    if platform.python_implementation() != "CPython":
        return []
    added = []
    for cls in _TOSTRING_TYPES:
        if "tostring" not in dir(cls):
            _type_dict(cls)["tostring"] = _tostring
            _type_modified(cls)
            added.append(cls)
    return added


def _uninstall_tostring(added):
    for cls in added:
        namespace = _type_dict(cls)
        if namespace.get("tostring") is _tostring:
            del namespace["tostring"]
            _type_modified(cls)


def _missing_names():
    present = set(dir(numpy)) | set(numpy.__dict__)
    return {name: entry for name, entry in ALIASES.items()
            if name not in present}


def numpy_aliases():
    """Brings back NumPy's removed aliases this NumPy lacks.

    Returns:
      An `Installation`; `undo()` removes them (NumPy's own ``__getattr__``
      and the C types' dictionaries are as before). Its ``detail`` lists the
      names provided.
    """
    missing = _missing_names()
    _warned.clear()  # once per name and installation
    undo_names = _install_module_names(missing)
    added = _install_tostring()

    def undo():
        _uninstall_tostring(added)
        undo_names()

    provided = sorted(missing) + [f"{cls.__name__}.tostring" for cls in added]
    return Installation("numpy_aliases", undo, detail=" ".join(provided))
