"""Building blocks shared by the TF1 decay mirrors (`decay`, `cosine`).

Each follows TF 2.21's op structure where that decides float32 bits, and
casts hyper-parameters to the learning rate's dtype from their Python values.
"""
import math

import tensorflow as tf

from tf1_schedules import _checks as checks

__all__ = [
    "const",
    "lr_tensor",
    "decay_exponent",
    "ceil_div",
    "half_cosine",
    "floor_blend",
    "validate_rate_schedule",
    "compute_dtype",
    "output",
]


def const(value, dtype):
    """`value` in `dtype`, converted from the Python value (no float32 detour)."""
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        return tf.cast(value, dtype)
    return tf.constant(value, dtype)


# Half-precision learning rates are computed in float32 and the result cast
# back: float16 steps overflow past 65504 (TF gives NaN there).
_HALF = (tf.float16, tf.bfloat16)


def compute_dtype(learning_rate):
    """The dtype a schedule on `learning_rate` computes in."""
    dtype = checks.static_dtype(learning_rate)
    return tf.float32 if dtype in _HALF else dtype


def lr_tensor(learning_rate):
    """`learning_rate` as a Tensor in its compute dtype."""
    lr = tf.convert_to_tensor(learning_rate, name="initial_learning_rate")
    return tf.cast(lr, tf.float32) if lr.dtype in _HALF else lr


def output(op, x, y, name, learning_rate):
    """`op(x, y, name=name)` in the learning rate's own dtype.

    A half-precision learning rate's result is computed in float32 and cast
    back by the named op.
    """
    dtype = checks.static_dtype(learning_rate)
    if dtype not in _HALF:
        return op(x, y, name=name)
    return tf.cast(op(x, y), dtype, name=name)


def _int_step(step, divisor):
    """The step as int64 when integer math can be exact, else None."""
    if not step.dtype.is_integer or not checks.is_integral(divisor):
        return None
    return tf.cast(step, tf.int64), int(checks.static_number(divisor))


def _floor_div(step, divisor, s, d):
    """`floor(step / divisor)` in the dtype of `s`; exact for integer steps."""
    exact = _int_step(step, divisor)
    if exact is None:
        return tf.floor(s / d)
    return tf.cast(tf.math.floordiv(exact[0], exact[1]), s.dtype)


def ceil_div(step, divisor, s, d):
    """`ceil(step / divisor)` in the dtype of `s`; exact for integer steps."""
    exact = _int_step(step, divisor)
    if exact is None:
        return tf.math.ceil(s / d)
    return tf.cast(-tf.math.floordiv(-exact[0], exact[1]), s.dtype)


def decay_exponent(step, decay_steps, staircase, dtype):
    """`p = step / decay_steps`, floored if `staircase`."""
    step = tf.convert_to_tensor(step)
    s = tf.cast(step, dtype)
    d = const(decay_steps, dtype)
    if staircase:
        return _floor_div(step, decay_steps, s, d)
    return s / d


def half_cosine(fraction, dtype, peak=None):
    """`0.5 * peak * (1 + cos(pi * fraction))`: `peak` at 0, 0 at 1.

    The op structure follows TF's, so graph rewrites give identical bits.
    """
    pi = tf.constant(math.pi, dtype)
    half = 0.5 if peak is None else 0.5 * peak
    return half * (1.0 + tf.cos(pi * fraction))


def floor_blend(alpha, decayed):
    """`(1 - alpha) * decayed + alpha`: `decayed` rescaled onto [alpha, 1]."""
    dtype = decayed.dtype
    if tf.is_tensor(alpha) or isinstance(alpha, tf.Variable):
        alpha = tf.cast(alpha, dtype)
        return (1 - alpha) * decayed + alpha
    return const(1 - alpha, dtype) * decayed + const(alpha, dtype)


def validate_rate_schedule(fn, learning_rate, decay_steps, name,
                           steps_arg="decay_steps"):
    """The arguments every TF1 decay shares; returns the learning rate."""
    learning_rate = checks.check_learning_rate(fn, learning_rate)
    checks.check_name(fn, name)
    checks.check_number(fn, steps_arg, decay_steps, low=0, low_inclusive=False,
                        dtype=compute_dtype(learning_rate))
    return learning_rate
