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
import re

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
                 high=None, required=True, dtype=None):
    """Checks that `value` is a finite real number (or a numeric tensor).

    `low`/`high` bound statically known values. With a floating `dtype`, the
    value must also stay finite (and, for a strict lower bound, above it)
    once rounded to `dtype`: no silent inf or 0 in the computation.
    Returns `value` unchanged.
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
    if dtype is not None:
        _check_in_dtype(fn, arg, value, known, dtype, low, low_inclusive)
    return value


def _check_in_dtype(fn, arg, value, known, dtype, low, low_inclusive):
    """`known` rounded to the floating `dtype` is finite (and > `low`)."""
    dtype = tf.as_dtype(dtype)
    if not dtype.is_floating:
        return
    with np.errstate(over="ignore", under="ignore"):
        rounded = np.asarray(known, np.float64).astype(dtype.as_numpy_dtype)
    if not np.isfinite(rounded):
        fail(fn, arg, f"finite in {dtype.name} (|x| <= "
             f"{float(np.finfo(dtype.as_numpy_dtype).max):.4g})", value)
    if low is not None and not low_inclusive and rounded <= low:
        fail(fn, arg, f"> {low} in {dtype.name} (it rounds to "
             f"{float(rounded)!r})", value)


def check_learning_rate(fn, value, arg="learning_rate"):
    """A learning rate: a number >= 0 or a floating-point tensor.

    Negative rates are rejected everywhere in the package (one rule). The
    value must be finite in its own dtype (float32 for a Python float).
    Python and NumPy integers are returned as Python floats, so that they give
    a float32 schedule instead of TF's `Pow` dtype error.
    """
    if _is_tensor(value):
        if not tf.as_dtype(value.dtype).base_dtype.is_floating:
            fail(fn, arg, "a float or a floating-point tensor", value,
                 TypeError)
        check_number(fn, arg, value, low=0)
        return value
    check_number(fn, arg, value, low=0)
    if isinstance(value, (numbers.Integral, np.integer)):
        value = float(value)
    check_number(fn, arg, value, low=0, dtype=static_dtype(value))
    return value


# The largest step: steps are int64 (float steps are compared with int64
# boundaries); uint64 values past it would wrap.
MAX_STEP = 2**63 - 1


def check_step(fn, value, arg="global_step"):
    """A step: None, a real number, a numeric tensor or a 1-D array of them.

    Integer steps must fit in int64 (`|step| <= 2**63 - 1`); uint64 tensors
    are rejected (they would wrap when widened to int64).
    """
    if value is None or _is_tensor(value):
        if value is not None:
            check_number(fn, arg, value)
            if tf.as_dtype(value.dtype).base_dtype == tf.uint64:
                fail(fn, arg, "an int32, int64 or floating-point step "
                     "(uint64 steps past 2**63 would wrap)", value, TypeError)
        return value
    if isinstance(value, (str, bytes)):
        fail(fn, arg, "a number, a 1-D sequence of numbers or a tensor",
             value, TypeError)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if not -MAX_STEP - 1 <= value <= MAX_STEP:
            fail(fn, arg, "an int64 (|step| <= 2**63 - 1)", value)
        return value
    array = np.asarray(value)
    if array.dtype.kind == "O" and all(
            isinstance(v, numbers.Integral) for v in np.ravel(array)):
        fail(fn, arg, "int64 values (|step| <= 2**63 - 1)", value)
    if array.dtype.kind not in "iuf" or array.ndim > 1:
        fail(fn, arg, "a number, a 1-D sequence of numbers or a tensor",
             value, TypeError)
    if array.dtype.kind == "u" and array.size and array.max() > MAX_STEP:
        fail(fn, arg, "int64 values (|step| <= 2**63 - 1)", value)
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        fail(fn, arg, "finite", value)
    return value


def check_flag(fn, arg, value):
    """A Python (or NumPy) bool."""
    if not isinstance(value, (bool, np.bool_)):
        fail(fn, arg, "a bool", value, TypeError)
    return bool(value)


def check_integer(fn, arg, value, low=0, high=MAX_STEP):
    """A Python or NumPy integer in [low, high] (bools rejected), as an int.

    `high` defaults to the largest int64: steps and boundaries are int64.
    """
    if (isinstance(value, (bool, np.bool_))
            or not isinstance(value, (numbers.Integral, np.integer))):
        fail(fn, arg, "an integer", value, TypeError)
    if value < low:
        fail(fn, arg, f">= {low}", value)
    if value > high:
        fail(fn, arg, "<= 2**63 - 1 (an int64)" if high == MAX_STEP
             else f"<= {high}", value)
    return int(value)


def check_choice(fn, arg, value, choices):
    """`value`, one of `choices`."""
    if value not in choices:
        fail(fn, arg, "one of " + ", ".join(map(repr, choices)), value)
    return value


# TF's rule for a name scope (`tf.name_scope` raises on anything else).
_SCOPE_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")


def check_name(fn, value):
    """An op name: None or a string TF accepts as a name scope."""
    if value is not None and not isinstance(value, str):
        fail(fn, "name", "a string or None", value, TypeError)
    if value and not _SCOPE_NAME.match(value):
        fail(fn, "name", "a valid TF scope name (letters, digits and "
             "`._-/>`, not starting with `_-/>`)", value)
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
