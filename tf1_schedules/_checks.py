"""Pure-Python argument checks, run before any TensorFlow op is built.

Every failure uses one message shape::

    <function>: `<argument>` must be <rule>. Received: <argument>=<value>.

`TypeError` is raised for the wrong kind of object, `ValueError` for a wrong
value. Tensors whose value is not known statically are accepted unchecked:
they can only be checked at run time, and TF1 code passes them rarely.
"""
import collections.abc
import math
import numbers

import numpy as np
import tensorflow as tf

__all__ = [
    "fail",
    "static_number",
    "check_number",
    "check_learning_rate",
    "check_step",
    "check_flag",
    "check_integer",
    "check_choice",
    "check_name",
    "check_sequence",
    "static_dtype",
    "is_integral",
    "is_tensor",
]


def fail(fn, arg, rule, value, exc=ValueError):
    """Raises `exc` with the project's one message shape."""
    raise exc(f"{fn}: `{arg}` must be {rule}. Received: {arg}={value!r}.")


_PLAIN = (numbers.Number, np.generic, str, bytes)


def _is_tensor(value):
    if isinstance(value, _PLAIN):  # fast path: tf.is_tensor is slow
        return False
    return tf.is_tensor(value) or isinstance(value, tf.Variable)


def is_tensor(value):
    """A tf.Tensor or tf.Variable (cheap for plain Python/NumPy scalars)."""
    return _is_tensor(value)


def static_number(value):
    """The Python/NumPy scalar behind `value`, or None when unknown statically.

    Raises TypeError (via the callers) only for objects that are not numbers.
    """
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, tf.Variable):
        return None
    if tf.is_tensor(value):
        try:
            known = tf.get_static_value(value)
        except (TypeError, ValueError):
            return None
        if known is None or np.ndim(known) != 0:
            return None
        return known.item() if hasattr(known, "item") else known
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def _is_real(value):
    return (isinstance(value, (numbers.Real, np.number))
            and not isinstance(value, (bool, np.bool_)))


def check_number(fn, arg, value, *, low=None, low_inclusive=True,
                 high=None, required=True):
    """Checks that `value` is a finite real number (or a numeric tensor).

    `low`/`high` bound statically known values. Returns `value` unchanged.
    """
    if value is None:
        if required:
            fail(fn, arg, "a number, not None", value, TypeError)
        return value
    if _is_tensor(value):
        dtype = tf.as_dtype(value.dtype).base_dtype
        if not (dtype.is_floating or dtype.is_integer):
            fail(fn, arg, "a real number or a numeric tensor", value, TypeError)
    known = static_number(value)
    if known is None:
        return value
    if not _is_real(known):
        fail(fn, arg, "a real number", value, TypeError)
    if not math.isfinite(float(known)):
        fail(fn, arg, "finite", value)
    if low is not None:
        if low_inclusive and known < low:
            fail(fn, arg, f">= {low}", value)
        if not low_inclusive and known <= low:
            fail(fn, arg, f"> {low}", value)
    if high is not None and known > high:
        fail(fn, arg, f"<= {high}", value)
    return value


def check_learning_rate(fn, value, arg="learning_rate"):
    """A learning rate: a real number or a floating-point tensor.

    Python and NumPy integers are returned as Python floats, so that they give
    a float32 schedule instead of TF's `Pow` dtype error.
    """
    if _is_tensor(value):
        if not tf.as_dtype(value.dtype).base_dtype.is_floating:
            fail(fn, arg, "a float or a floating-point tensor", value,
                 TypeError)
        check_number(fn, arg, value)
        return value
    check_number(fn, arg, value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return float(value)
    return value


def check_step(fn, value, arg="global_step"):
    """A step: None, a real number, a numeric tensor or a 1-D array of them."""
    if value is None or _is_tensor(value):
        if value is not None:
            check_number(fn, arg, value)
        return value
    array = np.asarray(value)
    if array.dtype.kind not in "iuf" or array.ndim > 1:
        fail(fn, arg, "a number, a 1-D sequence of numbers or a tensor",
             value, TypeError)
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        fail(fn, arg, "finite", value)
    return value


def check_flag(fn, arg, value):
    """A Python (or NumPy) bool."""
    if not isinstance(value, (bool, np.bool_)):
        fail(fn, arg, "a bool", value, TypeError)
    return bool(value)


def check_integer(fn, arg, value, low=0):
    """A Python or NumPy integer >= low (bools rejected), as an int."""
    if (isinstance(value, (bool, np.bool_))
            or not isinstance(value, (numbers.Integral, np.integer))):
        fail(fn, arg, "an integer", value, TypeError)
    if value < low:
        fail(fn, arg, f">= {low}", value)
    return int(value)


def check_choice(fn, arg, value, choices):
    """`value`, one of `choices`."""
    if value not in choices:
        fail(fn, arg, "one of " + ", ".join(map(repr, choices)), value)
    return value


def check_name(fn, value):
    """An op name: None or a string."""
    if value is not None and not isinstance(value, str):
        fail(fn, "name", "a string or None", value, TypeError)
    return value


def check_sequence(fn, arg, value, rule="a list or tuple"):
    """`value` as a list: a list, tuple or other iterable, not a string.

    Raises TypeError (naming `fn` and `arg`) for anything else, instead of
    Python's bare "'int' object is not iterable" later on.
    """
    if (isinstance(value, (str, bytes)) or _is_tensor(value)
            or not isinstance(value, collections.abc.Iterable)
            or (isinstance(value, np.ndarray) and value.ndim == 0)):
        fail(fn, arg, rule, value, TypeError)
    return list(value)


def is_integral(value):
    """True for a statically known number with an integer value."""
    known = static_number(value)
    if not _is_real(known):
        return False
    return float(known).is_integer()


def static_dtype(value):
    """The dtype `tf.convert_to_tensor(value)` would give, without building ops."""
    if _is_tensor(value):
        return tf.as_dtype(value.dtype).base_dtype
    if isinstance(value, (bool, np.bool_)):
        return tf.bool
    if isinstance(value, (np.generic, np.ndarray)):
        return tf.as_dtype(value.dtype)
    if isinstance(value, numbers.Integral):
        return tf.int32 if -2**31 <= value < 2**31 else tf.int64
    if isinstance(value, float):
        return tf.float32
    array = np.asarray(value)  # a Python sequence
    if array.dtype == np.float64:
        return tf.float32  # a Python list of floats converts to float32
    if array.dtype == np.int64:
        fits = array.size == 0 or (array.min() >= -2**31 and array.max() < 2**31)
        return tf.int32 if fits else tf.int64
    return tf.as_dtype(array.dtype)
