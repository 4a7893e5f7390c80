"""`piecewise_constant` (alias `piecewise_constant_decay`), as in TF 2.21.

TF builds a `tf.case` chain (O(boundaries) ops, `RecursionError` past ~137
boundaries); here one sorted search and one gather do the lookup.
"""
import numpy as np
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules._define import Schedule

__all__ = ["piecewise_constant", "piecewise_constant_decay"]


def _check_piecewise(fn, x_dtype, boundaries, values):
    """TF's wrapper checks, in TF's order, plus the ones TF leaves to run time.

    `x_dtype` is the step's dtype (int64 for step functions).
    """
    if not isinstance(boundaries, (list, tuple)):
        checks.fail(fn, "boundaries", "a list or tuple", boundaries, TypeError)
    if not isinstance(values, (list, tuple)):
        checks.fail(fn, "values", "a list or tuple", values, TypeError)
    boundaries = list(tf.nest.flatten(boundaries))
    values = list(tf.nest.flatten(values))
    if not boundaries:
        checks.fail(fn, "boundaries", "non-empty", boundaries)
    for b in boundaries:
        b_dtype = checks.static_dtype(b)
        if b_dtype != x_dtype and not (b_dtype == tf.int32 and
                                       x_dtype == tf.int64):
            raise ValueError(
                f"Boundaries ({b_dtype}) must have the same dtype as x "
                f"({x_dtype}).")
    known_values = [checks.static_number(v) for v in values]
    if any(isinstance(v, (str, bytes, bool, np.bool_)) for v in known_values):
        checks.fail(fn, "values", "numbers or numeric tensors", values,
                    TypeError)
    if any(v is not None and not np.isfinite(v) for v in known_values):
        checks.fail(fn, "values", "finite", values)
    value_dtypes = [checks.static_dtype(v) for v in values]
    for dtype in value_dtypes[1:]:
        if dtype != value_dtypes[0]:
            raise ValueError(
                "Values must have elements all with the same dtype "
                f"({value_dtypes[0]} vs {dtype}).")
    if len(values) != len(boundaries) + 1:
        checks.fail(fn, "values", "one longer than `boundaries` "
                    f"({len(boundaries) + 1} values)", values)
    known = [checks.static_number(b) for b in boundaries]
    if all(k is not None for k in known):
        if any(lo >= hi for lo, hi in zip(known, known[1:])):
            checks.fail(fn, "boundaries", "strictly increasing", boundaries)
    return boundaries, values, value_dtypes[0]


def _piecewise_constant(call, boundaries, values, name=None):
    """Piecewise constant, as `tf.compat.v1.train.piecewise_constant`.

        value = values[0]   if x <= boundaries[0]
                values[i]   if boundaries[i-1] < x <= boundaries[i]
                values[-1]  if x > boundaries[-1]

    i.e. `values[count(boundaries < x)]`: the switch comes one step *after*
    each boundary. One sorted search plus one gather: the cost does not grow
    with the number of boundaries (TF builds a `tf.case` chain).

    Args:
      x: the step; None means the global step. Boundaries must share its
        dtype (int32 boundaries are promoted for an int64 step).
      boundaries: non-empty, strictly increasing list of numbers or Tensors.
      values: list of `len(boundaries) + 1` numbers or Tensors, one dtype.
      name: name scope; default `PiecewiseConstant`.

    Returns:
      Graph mode: a Tensor with the values' dtype, named after the scope.
      Eager mode: a zero-argument callable.

    Differences from TF: validation of empty/non-increasing boundaries and
    the values length before any op; vector `x`; the output op is named
    after the scope (TF: `.../case/cond/Identity`).
    """
    fn = call.fn
    x_dtype = call.step_dtype
    boundaries, values, v_dtype = _check_piecewise(fn, x_dtype, boundaries,
                                                   values)
    checks.check_name(fn, name)

    def build(step):
        with tf.name_scope(name or "PiecewiseConstant") as scope:
            step = tf.convert_to_tensor(step)
            if step.dtype != x_dtype:  # ScheduleFn.at() with another dtype
                step = tf.cast(step, x_dtype)
            sorted_bounds = tf.reshape(_stack(boundaries, x_dtype), [1, -1])
            # LowerBound: how many boundaries are strictly below each step.
            index = tf.raw_ops.LowerBound(
                sorted_inputs=sorted_bounds, values=tf.reshape(step, [1, -1]))
            index = tf.reshape(index, tf.shape(step))
            return tf.gather(_stack(values, v_dtype), index, name=scope)

    return build


def _stack(items, dtype):
    """One constant for Python numbers, else a stack of (cast) tensors."""
    if not any(checks.is_tensor(v) for v in items):
        return tf.constant(items, dtype)
    return tf.stack([tf.cast(v, dtype) for v in items])


PIECEWISE_CONSTANT = Schedule(_piecewise_constant, "piecewise_constant",
                              step_arg="x", step_position=0)
piecewise_constant = PIECEWISE_CONSTANT.tf1
piecewise_constant_decay = piecewise_constant
