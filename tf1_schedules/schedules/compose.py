"""Building schedules from pieces: constant, ramp, stepwise, join, warmups.

A *step function* is `f(step) -> Tensor`: the learning rate at a step Tensor
(scalar or 1-D). Every schedule of the package has one (`step_fns`, and the
`*_fn` factories of `od` and `policies`); `ScheduleFn` objects (what the
TF1-style functions return in eager mode) and Keras `LearningRateSchedule`s
are accepted wherever a step function is.

    join([f, g], [b])(step) == f(step)       for step < b
                               g(step - b)   for step >= b

so each part sees the steps since its own start, as optax's `join_schedules`.
`with_warmup(f, w)` is `join([ramp to f(0), f], [w])`; with
`mode="overlay"` the ramp replaces the first `w` values of `f` instead
(BERT). Integer steps are handled in int64 (never int32); ramps are computed
in float64 and rounded once to the schedule's dtype (or, with
`rounding="schedule"`, in its dtype as BERT computes them).

`at_global_step(f, global_step)` turns a step function into a TF1-style
schedule: a Tensor in graph mode, a zero-argument callable in eager mode.

    >>> f = join([constant(0.1), constant(0.01)], [3])
    >>> [round(float(v), 3) for v in f(tf.range(5))]
    [0.1, 0.1, 0.1, 0.01, 0.01]
"""
import math

import numpy as np
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules._mode import ScheduleFn, dual_mode
from tf1_schedules.schedules._define import as_step

__all__ = [
    "to_step_fn",
    "at_global_step",
    "constant",
    "ramp",
    "stepwise",
    "join",
    "with_warmup",
    "bert_warmup",
    "named",
    "WARMUP_MODES",
    "RAMP_SHAPES",
    "ROUNDINGS",
]

WARMUP_MODES = ("shift", "overlay")
RAMP_SHAPES = ("linear", "cosine")


# ------------------------------------------------------------- arguments --

def to_step_fn(schedule, fn="to_step_fn", arg="schedule"):
    """`schedule` as `f(step) -> Tensor`.

    Accepts a step function, a `ScheduleFn` (eager TF1-style result; its
    `build`) or any callable of one step (a Keras `LearningRateSchedule`).
    A Tensor cannot be re-evaluated at another step: TypeError.
    """
    if isinstance(schedule, ScheduleFn):
        return schedule.build
    if tf.is_tensor(schedule) or isinstance(schedule, tf.Variable):
        checks.fail(fn, arg, "a step function f(step) such as "
                    "tf1_schedules.step_fns.cosine_decay_fn(...), not a Tensor "
                    "(a graph-mode Tensor cannot be re-evaluated at "
                    "another step)", schedule, TypeError)
    if not callable(schedule):
        checks.fail(fn, arg, "a step function f(step)", schedule, TypeError)
    return schedule


def _float_dtype(fn, dtype=None, **values):
    """The dtype of a result built from `values` (numbers or tensors, by name).

    `dtype` if given, else the first tensor's, else float64 for a NumPy
    float64, else float32. Integer dtypes are rejected (TypeError naming the
    argument): a learning rate truncated to an integer is 0 or a jump.
    """
    if dtype is not None:
        try:
            found = tf.as_dtype(dtype)
        except TypeError:
            found = None
        if found is None or not found.is_floating:
            checks.fail(fn, "dtype", "a floating-point dtype (learning rates "
                        "are floats) or None", dtype, TypeError)
        return found
    for arg, value in values.items():
        if tf.is_tensor(value) or isinstance(value, tf.Variable):
            found = tf.as_dtype(value.dtype).base_dtype
            if not found.is_floating:
                checks.fail(fn, arg, "a number or a floating-point tensor "
                            "(or give a floating-point `dtype`)", value,
                            TypeError)
            return found
    for value in values.values():
        if isinstance(value, np.floating):
            return tf.as_dtype(np.asarray(value).dtype)
    return tf.float32


def _as_float64(value):
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        return tf.cast(value, tf.float64)
    return float(value)


def _common(a, b):
    """`a` and `b` in one dtype: the wider float (no precision is lost)."""
    if a.dtype == b.dtype:
        return a, b
    wide = a.dtype if (a.dtype.is_floating and (
        not b.dtype.is_floating or a.dtype.size >= b.dtype.size)) else b.dtype
    return tf.cast(a, wide), tf.cast(b, wide)


def _switch(step, boundary, before, after):
    """`before` where `step < boundary` (a Tensor), else `after` (broadcast)."""
    before, after = _common(before, after)
    return tf.where(step < boundary, before, after)


def _shaped_like(value, step):
    """`value` reshaped to `step`'s shape (static when known: no Shape op)."""
    shape = step.shape.as_list() if step.shape.is_fully_defined() else None
    return tf.reshape(value, shape if shape is not None else tf.shape(step))


def named(schedule, scope, output=None):
    """`schedule` with its ops under the name scope `scope`.

    The output op is named after the scope (`output=None`: `scope:0`), or
    `output` outside the scope (OD's `learning_rate:0`). The one way the
    package names a composed schedule's output.
    """
    def f(step):
        with tf.name_scope(scope) as inner:
            value = schedule(step)
            if output is None:
                return tf.identity(value, name=inner)
        return tf.identity(value, name=output)

    f.__name__ = getattr(schedule, "__name__", scope)
    return f


def at_global_step(schedule, global_step=None, name=None):
    """A step function as a TF1-style schedule.

    Args:
      schedule: a step function (see `to_step_fn`).
      global_step: the step; None means
        `tf.compat.v1.train.get_or_create_global_step()`.
      name: name scope of the ops, and name of the output op (graph mode);
        default: `learning_rate`.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable that
      re-reads a variable step on every call.

    Example:
      >>> lr = at_global_step(with_warmup(constant(0.5), 2), global_step=1)
      >>> float(lr())
      0.25
    """
    fn = "at_global_step"
    f = to_step_fn(schedule, fn)
    checks.check_step(fn, global_step)
    checks.check_name(fn, name)
    return dual_mode(named(f, name or "learning_rate"), global_step,
                     getattr(f, "__name__", fn))


# ---------------------------------------------------------------- pieces --

def constant(value, dtype=None):
    """`f(step) = value`, shaped like `step`.

    Args:
      value: a finite number or a scalar tensor.
      dtype: a floating-point output dtype; default: the tensor's,
        `np.float64` for a NumPy float64, else float32.

    Raises:
      TypeError: for an integer `dtype` or integer tensor `value`.
    """
    checks.check_number("constant", "value", value, low=0)
    out_dtype = _float_dtype("constant", dtype, value=value)
    checks.check_number("constant", "value", value, dtype=out_dtype)

    def schedule(step):
        step = as_step(step)
        return tf.fill(tf.shape(step), tf.cast(value, out_dtype))

    return schedule


def ramp(start, end, steps, shape="linear", dtype=None):
    """From `start` at step 0 to `end` at step `steps`.

        linear:  start + (end - start) / steps * step
        cosine:  start + (end - start) * 0.5 * (1 - cos(pi * step / steps))

    Computed in float64 and rounded once to `dtype`, so a linear ramp equals
    OD's per-step table `float32(start + slope * i)` exactly. Meant for
    `0 <= step <= steps` (the linear one extrapolates outside).

    Args:
      start, end: numbers or scalar tensors (`end` may be a schedule value).
      steps: number > 0 (may be fractional).
      shape: "linear" or "cosine".
      dtype: a floating-point output dtype; default from the tensors, else
        float32 (an integer dtype or integer tensor: TypeError).
    """
    fn = "ramp"
    checks.check_number(fn, "start", start, low=0)
    checks.check_number(fn, "end", end, low=0)
    checks.check_number(fn, "steps", steps, low=0, low_inclusive=False)
    checks.check_choice(fn, "shape", shape, RAMP_SHAPES)
    out_dtype = _float_dtype(fn, dtype, end=end, start=start)
    checks.check_number(fn, "start", start, dtype=out_dtype)
    checks.check_number(fn, "end", end, dtype=out_dtype)
    return _ramp(start, end, steps, shape, out_dtype)


def _ramp(start, end, steps, shape, dtype):
    """`ramp` on checked arguments, in any `dtype` (`with_warmup` ramps to
    the schedule's own dtype)."""
    def schedule(step):
        s = tf.cast(as_step(step), tf.float64)
        a, b = _as_float64(start), _as_float64(end)
        if shape == "linear":
            value = a + (b - a) / float(steps) * s
        else:
            angle = tf.constant(math.pi / float(steps), tf.float64) * s
            value = a + (b - a) * (0.5 * (1.0 - tf.cos(angle)))
        return tf.cast(value, dtype)

    return schedule


def stepwise(boundaries, values, dtype=None):
    """`values[i]` from step `boundaries[i-1]` on (switch *at* the boundary).

        f(step) = values[count(b <= step for b in boundaries)]

    One sorted search and one gather, whatever the number of boundaries.
    (`piecewise_constant` switches one step *after* each boundary.)

    Args:
      boundaries: a list of strictly increasing integers (may be negative).
      values: a list of `len(boundaries) + 1` numbers.
      dtype: a floating-point output dtype; default float32.
    """
    fn = "stepwise"
    boundaries = [checks.check_integer(fn, "boundaries", b, low=-2**63) for b in
                  checks.check_sequence(fn, "boundaries", boundaries,
                                        "a list of integers")]
    if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
        checks.fail(fn, "boundaries", "strictly increasing", boundaries)
    values = checks.check_sequence(fn, "values", values, "a list of numbers")
    out_dtype = _float_dtype(fn, dtype)
    for v in values:
        checks.check_number(fn, "values", v, low=0, dtype=out_dtype)
    if len(values) != len(boundaries) + 1:
        checks.fail(fn, "values", "one longer than `boundaries`", values)
    table = [float(v) for v in values]
    if not boundaries:
        return constant(table[0], out_dtype)

    def schedule(step):
        step = as_step(step)
        bounds = tf.constant([boundaries], step.dtype)
        # UpperBound is `searchsorted(side="right")` without its reshapes.
        index = tf.raw_ops.UpperBound(
            sorted_inputs=bounds, values=tf.reshape(step, [1, -1]))
        return tf.gather(tf.constant(table, out_dtype),
                         _shaped_like(index, step))

    return schedule


def join(schedules, boundaries):
    """Schedule `i` from step `boundaries[i-1]` on, seeing `step - boundary`.

        join([f, g], [b])(b + k) == g(k);   join([f, g], [b])(s) == f(s), s < b

    As optax's `join_schedules`. The result has the widest float dtype of the
    parts.

    Args:
      schedules: non-empty sequence of step functions.
      boundaries: `len(schedules) - 1` strictly increasing integers.
    """
    fn = "join"
    if not isinstance(schedules, (list, tuple)) or not schedules:
        checks.fail(fn, "schedules", "a non-empty list of step functions",
                    schedules, TypeError)
    parts = [to_step_fn(s, fn, "schedules") for s in schedules]
    if not isinstance(boundaries, (list, tuple)):
        checks.fail(fn, "boundaries", "a list of integers", boundaries,
                    TypeError)
    boundaries = [checks.check_integer(fn, "boundaries", b, low=-2**63)
                  for b in boundaries]
    if len(boundaries) != len(parts) - 1:
        checks.fail(fn, "boundaries", f"{len(parts) - 1} integers (one "
                    "fewer than `schedules`)", boundaries)
    if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
        checks.fail(fn, "boundaries", "strictly increasing", boundaries)

    def schedule(step):
        step = as_step(step)
        value = parts[0](step)
        for boundary, part in zip(boundaries, parts[1:]):
            boundary = tf.constant(boundary, step.dtype)
            value = _switch(step, boundary, value, part(step - boundary))
        return value

    return schedule


# ---------------------------------------------------------------- warmup --

def with_warmup(schedule, warmup_steps, warmup_learning_rate=0.0, *,
                mode="shift", shape="linear", peak=None, rounding="float64"):
    """A ramp from `warmup_learning_rate` to `peak` before (or over) a schedule.

        shift   (default): step < w: ramp(step); else schedule(step - w)
        overlay (BERT):    step < w: ramp(step); else schedule(step)

    `ramp` goes from `warmup_learning_rate` at step 0 to `peak` at step `w`
    (see `ramp`; "linear" or "cosine" shape). `peak` defaults to
    `schedule(0)`, so the default "shift" curve is continuous: OD's warmup,
    HF-style BERT. "overlay" is BERT's `create_optimizer` blend
    `(1 - is_warmup) * decay(step) + is_warmup * peak * step / w` (decay
    counted from step 0, so it jumps at `w` unless the decay is flat).
    `warmup_steps=0` returns `schedule` unchanged.

    `rounding="float64"` computes the ramp in float64 and rounds it once
    (equal to OD's per-step table); `rounding="schedule"` computes the
    linear ramp `start + (peak - start) * (float(step) / float(w))` in the
    schedule's own dtype, as BERT does (its curve bit for bit).

    Args:
      schedule: a step function (see `to_step_fn`).
      warmup_steps: integer >= 0.
      warmup_learning_rate: number, the value at step 0.
      mode: "shift" or "overlay" (keyword-only).
      shape: "linear" or "cosine" (keyword-only).
      peak: number or scalar tensor, the ramp's end; default `schedule(0)`.
      rounding: "float64" or "schedule" (keyword-only).

    Returns:
      `f(step) -> Tensor` in the schedule's dtype.

    Example:
      >>> f = with_warmup(constant(1.0), 4)
      >>> [float(v) for v in f(tf.range(6))]
      [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    return _warmup("with_warmup", schedule, warmup_steps,
                   warmup_learning_rate, mode, shape, peak, rounding)


def bert_warmup(schedule, init_lr, warmup_steps, *, continuous=False):
    """BERT's linear warmup from 0 to `init_lr` over `warmup_steps`.

        step < w: init_lr * (float(step) / float(w))   # BERT's float arithmetic
        else:     schedule(step)        # continuous=False: BERT, from step 0
                  schedule(step - w)    # continuous=True: HF-style

    `with_warmup(schedule, w, peak=init_lr, rounding="schedule")` in mode
    "overlay" (`continuous=False`) or "shift" (`continuous=True`).
    `continuous=False` is BERT `create_optimizer`'s blend: the decay counts
    from step 0, so the curve drops at `warmup_steps`
    (`[0, .25, .5, .75, .6, .5, ...]` for `init_lr=1`, 10 train steps, 4
    warmup steps), bit for bit. `continuous=True`: build `schedule` over
    `num_train_steps - warmup_steps` steps; it then starts at `init_lr`.
    `warmup_steps=0` means no warmup (BERT's `if num_warmup_steps:`).
    Integer steps stay int64: correct past 2**31 (BERT casts to int32).

    Args:
      schedule: step function of the decay (see `to_step_fn`).
      init_lr: number or scalar tensor, the ramp's end.
      warmup_steps: integer >= 0.
      continuous: keyword-only bool.

    Returns:
      `f(step) -> Tensor`.
    """
    fn = "bert_warmup"
    continuous = checks.check_flag(fn, "continuous", continuous)
    return _warmup(fn, schedule, warmup_steps, 0.0,
                   "shift" if continuous else "overlay", "linear", init_lr,
                   "schedule", peak_arg="init_lr")


ROUNDINGS = ("float64", "schedule")


def _warmup(fn, schedule, warmup_steps, warmup_learning_rate, mode, shape,
            peak, rounding, peak_arg="peak"):
    """`with_warmup`, with errors naming `fn` (the function the user called)."""
    base = to_step_fn(schedule, fn)
    warmup_steps = checks.check_integer(fn, "warmup_steps", warmup_steps)
    checks.check_number(fn, "warmup_learning_rate", warmup_learning_rate,
                        low=0)
    checks.check_choice(fn, "mode", mode, WARMUP_MODES)
    checks.check_choice(fn, "shape", shape, RAMP_SHAPES)
    checks.check_choice(fn, "rounding", rounding, ROUNDINGS)
    if rounding == "schedule" and shape != "linear":
        checks.fail(fn, "rounding", '"float64" for a cosine ramp', rounding)
    if peak is not None:
        checks.check_number(fn, peak_arg, peak, low=0)
    if warmup_steps == 0:
        return base

    def warmed(step):
        step = as_step(step)
        w = tf.constant(warmup_steps, step.dtype)
        after = _rate_of(fn, base, step - w if mode == "shift" else step)
        end = peak if peak is not None else _rate_of(
            fn, base, tf.zeros([], step.dtype))
        if rounding == "schedule":
            up = _native_ramp(warmup_learning_rate, end, warmup_steps, step,
                              after.dtype)
        else:
            up = _ramp(warmup_learning_rate, end, warmup_steps, shape,
                       after.dtype)(step)
        return _switch(step, w, up, after)

    return warmed


def _rate_of(fn, schedule, step):
    """`schedule(step)` as a floating-point Tensor shaped like `step`.

    A plain number (`lambda s: 0.1`) is broadcast; an integer result is a
    TypeError (a ramp cast to an integer dtype would be 0).
    """
    value = tf.convert_to_tensor(schedule(step))
    if not value.dtype.is_floating:
        checks.fail(fn, "schedule", "a step function returning a "
                    f"floating-point tensor (it returned {value.dtype.name})",
                    schedule, TypeError)
    if value.shape.rank == 0 and step.shape.rank != 0:
        value = tf.fill(tf.shape(step), value)
    return value


def _native_ramp(start, end, steps, step, dtype):
    """`start + (end - start) * (float(step) / float(steps))` in `dtype`."""
    done = tf.cast(step, dtype) / tf.constant(steps, dtype)
    end = tf.cast(end, dtype)
    if checks.static_number(start) == 0:
        return end * done  # BERT's `init_lr * warmup_percent_done`, exactly
    start = tf.cast(start, dtype)
    return start + (end - start) * done
