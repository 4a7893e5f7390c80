"""The nine `tf.compat.v1.train.*_decay` functions, on public TF ops.

Same signatures, defaults, default name scopes and float32 values as TF 2.21
(bit for bit for steps below 2**24). Every function returns a scalar Tensor
in graph mode (or inside `tf.function`) and a zero-argument callable in eager
mode; `global_step=None` means `tf.compat.v1.train.get_or_create_global_step()`.
A 1-D tensor of steps gives the 1-D tensor of learning rates.

Differences from TF (see README, "Differences from TF"):
  * float64 learning rates work everywhere, with every hyper-parameter cast
    from its Python value (TF rounds them through float32 or fails).
  * `natural_exp_decay` computes `exp(-decay_rate)` in the learning rate dtype.
  * staircase floors, the polynomial `cycle` multiplier and piecewise
    comparisons use integer math for integer steps: exact past 2**24 and 2**31.
  * `cosine_decay_restarts` returns the full rate at every exact restart step;
    with `t_mul < 1` it holds `learning_rate * alpha` past its horizon.
  * `noisy_linear_cosine_decay` takes a keyword-only `seed`.
  * arguments are validated before any op is built.
  * every output op is named after the scope (`CosineDecay:0`, not `Mul_3`).
"""
import math

import numpy as np
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules._mode import dual_mode, global_step_dtype
from tf1_schedules._noise import standard_normal

__all__ = [
    "exponential_decay",
    "natural_exp_decay",
    "inverse_time_decay",
    "polynomial_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "cosine_decay",
    "cosine_decay_restarts",
    "linear_cosine_decay",
    "noisy_linear_cosine_decay",
]


# ----------------------------------------------------------------- helpers --

def _const(value, dtype):
    """`value` in `dtype`, converted from the Python value (no float32 detour)."""
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        return tf.cast(value, dtype)
    return tf.constant(value, dtype)


def _lr(learning_rate):
    return tf.convert_to_tensor(learning_rate, name="initial_learning_rate")


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


def _ceil_div(step, divisor, s, d):
    """`ceil(step / divisor)` in the dtype of `s`; exact for integer steps."""
    exact = _int_step(step, divisor)
    if exact is None:
        return tf.math.ceil(s / d)
    return tf.cast(-tf.math.floordiv(-exact[0], exact[1]), s.dtype)


def _decay_exponent(step, decay_steps, staircase, dtype):
    """`p = step / decay_steps`, floored if `staircase`."""
    step = tf.convert_to_tensor(step)
    s = tf.cast(step, dtype)
    d = _const(decay_steps, dtype)
    if staircase:
        return _floor_div(step, decay_steps, s, d)
    return s / d


def _half_cosine(fraction, dtype, peak=None):
    """`0.5 * peak * (1 + cos(pi * fraction))`: `peak` at 0, 0 at 1.

    The op structure follows TF's, so graph rewrites give identical bits.
    """
    pi = tf.constant(math.pi, dtype)
    half = 0.5 if peak is None else 0.5 * peak
    return half * (1.0 + tf.cos(pi * fraction))


def _floor_blend(alpha, decayed):
    """`(1 - alpha) * decayed + alpha`: `decayed` rescaled onto [alpha, 1]."""
    dtype = decayed.dtype
    if tf.is_tensor(alpha) or isinstance(alpha, tf.Variable):
        alpha = tf.cast(alpha, dtype)
        return (1 - alpha) * decayed + alpha
    return _const(1 - alpha, dtype) * decayed + _const(alpha, dtype)


def _validate_rate_schedule(fn, learning_rate, global_step, decay_steps,
                            name, steps_arg="decay_steps"):
    learning_rate = checks.check_learning_rate(fn, learning_rate)
    checks.check_step(fn, global_step)
    checks.check_number(fn, steps_arg, decay_steps, low=0, low_inclusive=False)
    checks.check_name(fn, name)
    return learning_rate


# ------------------------------------------------------- exponential family --

def _exponential(fn, learning_rate, global_step, decay_steps, decay_rate,
                 staircase, name, rate_transform=None):
    """Shared body of `exponential_decay` and `natural_exp_decay`."""
    staircase = checks.check_flag(fn, "staircase", staircase)

    def build(step):
        with tf.name_scope(name or "ExponentialDecay") as scope:
            lr = _lr(learning_rate)
            rate = _const(decay_rate, lr.dtype)
            if rate_transform is not None:
                rate = rate_transform(rate)
            p = _decay_exponent(step, decay_steps, staircase, lr.dtype)
            return tf.multiply(lr, tf.pow(rate, p), name=scope)

    return dual_mode(build, global_step, fn)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate,
                      staircase=False, name=None):
    """Exponential decay, as `tf.compat.v1.train.exponential_decay`.

        decayed = learning_rate * decay_rate ** (global_step / decay_steps)

    With `staircase=True` the exponent is `floor(global_step / decay_steps)`
    (integer division for integer steps, exact at any step).

    Args:
      learning_rate: float or floating-point Tensor; its dtype is the
        computation dtype.
      global_step: step (number, Tensor, Variable or 1-D vector); None means
        `tf.compat.v1.train.get_or_create_global_step()`.
      decay_steps: number > 0.
      decay_rate: number > 0.
      staircase: bool, decay in discrete intervals.
      name: name scope; default `ExponentialDecay`.

    Returns:
      Graph mode: a Tensor (scalar, or 1-D for a vector of steps) named after
      the scope. Eager mode: a zero-argument callable returning that value.

    Raises:
      TypeError, ValueError: for invalid arguments, before any op is built.

    Example:
      >>> lr = exponential_decay(0.1, 15, 10, 0.5, staircase=True)
      >>> float(lr())
      0.05
    """
    fn = "exponential_decay"
    learning_rate = _validate_rate_schedule(
        fn, learning_rate, global_step, decay_steps, name)
    checks.check_number(fn, "decay_rate", decay_rate, low=0,
                        low_inclusive=False)
    return _exponential(fn, learning_rate, global_step, decay_steps,
                        decay_rate, staircase, name)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate,
                      staircase=False, name=None):
    """Natural exponential decay, as `tf.compat.v1.train.natural_exp_decay`.

        decayed = learning_rate * exp(-decay_rate) ** (global_step / decay_steps)

    i.e. `learning_rate * exp(-decay_rate * p)`, with `p` floored if
    `staircase`. Default scope `ExponentialDecay`, as in TF 2.x.

    Differences from TF: `exp(-decay_rate)` is computed in the learning rate's
    dtype (TF always uses float32); float32 results are unchanged.

    Args:
      learning_rate, global_step, decay_steps, staircase, name: as in
        `exponential_decay`.
      decay_rate: finite number.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.
    """
    fn = "natural_exp_decay"
    learning_rate = _validate_rate_schedule(
        fn, learning_rate, global_step, decay_steps, name)
    checks.check_number(fn, "decay_rate", decay_rate)
    return _exponential(fn, learning_rate, global_step, decay_steps,
                        decay_rate, staircase, name,
                        rate_transform=lambda r: tf.exp(tf.negative(r)))


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate,
                       staircase=False, name=None):
    """Inverse time decay, as `tf.compat.v1.train.inverse_time_decay`.

        decayed = learning_rate / (1 + decay_rate * global_step / decay_steps)

    With `staircase=True`, `global_step / decay_steps` is floored.

    Args:
      learning_rate, global_step, decay_steps, staircase, name: as in
        `exponential_decay` (default scope `InverseTimeDecay`).
      decay_rate: number >= 0.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.
    """
    fn = "inverse_time_decay"
    learning_rate = _validate_rate_schedule(
        fn, learning_rate, global_step, decay_steps, name)
    checks.check_number(fn, "decay_rate", decay_rate, low=0)
    staircase = checks.check_flag(fn, "staircase", staircase)

    def build(step):
        with tf.name_scope(name or "InverseTimeDecay") as scope:
            lr = _lr(learning_rate)
            rate = _const(decay_rate, lr.dtype)
            p = _decay_exponent(step, decay_steps, staircase, lr.dtype)
            denom = tf.add(tf.constant(1, lr.dtype), tf.multiply(rate, p))
            return tf.divide(lr, denom, name=scope)

    return dual_mode(build, global_step, fn)


def polynomial_decay(learning_rate, global_step, decay_steps,
                     end_learning_rate=0.0001, power=1.0, cycle=False,
                     name=None):
    """Polynomial decay, as `tf.compat.v1.train.polynomial_decay`.

        step = min(global_step, decay_steps)
        decayed = (learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power
                  + end_learning_rate

    With `cycle=True` the step is not clamped; instead `decay_steps` is
    multiplied by `ceil(global_step / decay_steps)` (1 at step 0), so an exact
    multiple gives `end_learning_rate` and the k-th restart starts near
    `(learning_rate - end_learning_rate) / (k + 1) + end_learning_rate`.

    Args:
      learning_rate, global_step, decay_steps, name: as in `exponential_decay`
        (default scope `PolynomialDecay`).
      end_learning_rate: finite number.
      power: number >= 0.
      cycle: bool.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.

    Differences from TF: `cycle=True` works with float64 learning rates in
    graph mode, and its multiplier is exact for integer steps past 2**24.
    """
    fn = "polynomial_decay"
    learning_rate = _validate_rate_schedule(
        fn, learning_rate, global_step, decay_steps, name)
    checks.check_number(fn, "end_learning_rate", end_learning_rate)
    checks.check_number(fn, "power", power, low=0)
    cycle = checks.check_flag(fn, "cycle", cycle)

    def build(step):
        with tf.name_scope(name or "PolynomialDecay") as scope:
            lr = _lr(learning_rate)
            end = _const(end_learning_rate, lr.dtype)
            exponent = _const(power, lr.dtype)
            step = tf.convert_to_tensor(step)
            s = tf.cast(step, lr.dtype)
            d = _const(decay_steps, lr.dtype)
            if cycle:
                multiplier = tf.where(
                    tf.equal(s, 0), tf.constant(1.0, lr.dtype),
                    _ceil_div(step, decay_steps, s, d))
                d = tf.multiply(d, multiplier)
            else:
                s = tf.minimum(s, d)
            p = tf.divide(s, d)
            return tf.add(tf.multiply(lr - end, tf.pow(1 - p, exponent)),
                          end, name=scope)

    return dual_mode(build, global_step, fn)


# ------------------------------------------------------------ cosine family --

def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0,
                 name=None):
    """Cosine decay, as `tf.compat.v1.train.cosine_decay`.

        step = min(global_step, decay_steps)
        cosine = 0.5 * (1 + cos(pi * step / decay_steps))
        decayed = learning_rate * ((1 - alpha) * cosine + alpha)

    Args:
      learning_rate, global_step, decay_steps, name: as in `exponential_decay`
        (default scope `CosineDecay`).
      alpha: finite number, the final value as a fraction of `learning_rate`.

    Returns:
      Graph mode: a Tensor named `<scope>:0`. Eager mode: a zero-argument
      callable.

    Differences from TF: float64 works; the output op is named after the
    scope (TF: `CosineDecay/Mul_3`).
    """
    fn = "cosine_decay"
    learning_rate = _validate_rate_schedule(
        fn, learning_rate, global_step, decay_steps, name)
    checks.check_number(fn, "alpha", alpha)

    def build(step):
        with tf.name_scope(name or "CosineDecay") as scope:
            lr = _lr(learning_rate)
            d = _const(decay_steps, lr.dtype)
            s = tf.minimum(tf.cast(step, lr.dtype), d)
            decayed = _floor_blend(alpha, _half_cosine(s / d, lr.dtype))
            return tf.multiply(lr, decayed, name=scope)

    return dual_mode(build, global_step, fn)


# Relative nudge so that an exact restart never floors into the old period.
_RESTART_NUDGE = 1e-12


def _restart_index(step, first, t, t_mul_known):
    """Index of the restart period that contains `step`, in `t.dtype`.

    TF takes `floor(log(1 - f * (1 - t_mul)) / log(t_mul))` in the learning
    rate's dtype, which in float32 lands one period short at some exact
    restarts (81910 with first_decay_steps=10, t_mul=2) and returns 0.0 there.
    The index is an integer, so it is computed once in float64 from the same
    (float32-rounded) `first` and `t`, nudged by 1e-12: every step where TF's
    index is right gets the same index, and the rest of TF's formula is kept.
    """
    f = tf.cast(step, tf.float64) / tf.cast(first, tf.float64)
    if t_mul_known == 1:
        i = tf.floor(f)
    else:
        t64 = tf.cast(t, tf.float64)
        i = tf.floor(tf.math.log(1.0 - f * (1.0 - t64)) / tf.math.log(t64)
                     + _RESTART_NUDGE)
        if t_mul_known is None:
            i = tf.where(tf.equal(t64, 1.0), tf.floor(f), i)
    return tf.cast(i, t.dtype)


def _restart_fraction(f, i, t, t_mul_known):
    """How much of period `i` is done, by TF's own formula."""
    if t_mul_known == 1:
        return f - i
    geometric = (f - (1.0 - t ** i) / (1.0 - t)) / t ** i
    if t_mul_known is None:
        return tf.where(tf.equal(t, 1.0), f - i, geometric)
    return geometric


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps,
                          t_mul=2.0, m_mul=1.0, alpha=0.0, name=None):
    """Cosine decay with warm restarts (SGDR), as TF's `cosine_decay_restarts`.

        f = global_step / first_decay_steps
        i = floor(log(1 - f * (1 - t_mul)) / log(t_mul))   # t_mul != 1
        i = floor(f)                                       # t_mul == 1
        fraction = (f - (1 - t_mul ** i) / (1 - t_mul)) / t_mul ** i
        decayed = learning_rate * ((1 - alpha) * m_mul ** i
                                   * 0.5 * (1 + cos(pi * fraction)) + alpha)

    Period `i` lasts `first_decay_steps * t_mul ** i` steps and peaks at
    `m_mul ** i`; `alpha` is a floor, not scaled by `m_mul ** i`.

    Args:
      learning_rate, global_step, name: as in `exponential_decay` (default
        scope `SGDRDecay`).
      first_decay_steps: number > 0, length of the first period.
      t_mul: number > 0, period length multiplier.
      m_mul: number >= 0, peak multiplier per period.
      alpha: finite number, the floor as a fraction of `learning_rate`.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.

    Differences from TF: float64 works; every exact restart step returns the
    full (period's) rate, where TF's float32 log gives 0.0 at e.g. step
    81910 (first_decay_steps=10, t_mul=2); with `0 < t_mul < 1`, steps past
    the horizon `first_decay_steps / (1 - t_mul)` give `learning_rate *
    alpha` instead of NaN.
    """
    fn = "cosine_decay_restarts"
    learning_rate = _validate_rate_schedule(
        fn, learning_rate, global_step, first_decay_steps, name,
        steps_arg="first_decay_steps")
    checks.check_number(fn, "t_mul", t_mul, low=0, low_inclusive=False)
    checks.check_number(fn, "m_mul", m_mul, low=0)
    checks.check_number(fn, "alpha", alpha)
    t_mul_known = checks.static_number(t_mul)

    def build(step):
        with tf.name_scope(name or "SGDRDecay") as scope:
            lr = _lr(learning_rate)
            first = _const(first_decay_steps, lr.dtype)
            floor = _const(alpha, lr.dtype)
            t = _const(t_mul, lr.dtype)
            m = _const(m_mul, lr.dtype)
            step = tf.convert_to_tensor(step)
            f = tf.cast(step, lr.dtype) / first
            i = _restart_index(step, first, t, t_mul_known)
            fraction = _restart_fraction(f, i, t, t_mul_known)
            cosine = _half_cosine(fraction, lr.dtype, peak=m ** i)
            decayed = _floor_blend(floor, cosine)
            if t_mul_known is None or t_mul_known < 1:
                decayed = tf.where(1.0 - f * (1.0 - t) > 0, decayed,
                                   floor * tf.ones_like(decayed))
            return tf.multiply(lr, decayed, name=scope)

    return dual_mode(build, global_step, fn)


def _linear_cosine(fn, learning_rate, global_step, decay_steps, num_periods,
                   alpha, beta, name, default_scope, noise=None):
    """Shared body of `linear_cosine_decay` and `noisy_linear_cosine_decay`.

    `noise(step_clamped, dtype) -> Tensor` is added to the linear part.
    """

    def build(step):
        with tf.name_scope(name or default_scope) as scope:
            lr = _lr(learning_rate)
            d = _const(decay_steps, lr.dtype)
            periods = _const(num_periods, lr.dtype)
            a = _const(alpha, lr.dtype)
            b = _const(beta, lr.dtype)
            s = tf.minimum(tf.cast(step, lr.dtype), d)
            linear = (d - s) / d
            if noise is not None:
                linear = linear + noise(step, s)
            cosine = _half_cosine(2.0 * periods * (s / d), lr.dtype)
            return tf.multiply(lr, (a + linear) * cosine + b, name=scope)

    return dual_mode(build, global_step, fn)


def _validate_linear_cosine(fn, learning_rate, global_step, decay_steps,
                            num_periods, alpha, beta, name):
    learning_rate = _validate_rate_schedule(
        fn, learning_rate, global_step, decay_steps, name)
    checks.check_number(fn, "num_periods", num_periods)
    checks.check_number(fn, "alpha", alpha)
    checks.check_number(fn, "beta", beta)
    return learning_rate


def linear_cosine_decay(learning_rate, global_step, decay_steps,
                        num_periods=0.5, alpha=0.0, beta=0.001, name=None):
    """Linear cosine decay, as `tf.compat.v1.train.linear_cosine_decay`.

        step = min(global_step, decay_steps)
        linear = (decay_steps - step) / decay_steps
        cosine = 0.5 * (1 + cos(pi * 2 * num_periods * step / decay_steps))
        decayed = learning_rate * ((alpha + linear) * cosine + beta)

    Note: step 0 gives `learning_rate * (1 + beta)`, above `learning_rate`,
    exactly as in TF.

    Args:
      learning_rate, global_step, decay_steps, name: as in `exponential_decay`
        (default scope `LinearCosineDecay`).
      num_periods, alpha, beta: finite numbers.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.
    """
    fn = "linear_cosine_decay"
    learning_rate = _validate_linear_cosine(
        fn, learning_rate, global_step, decay_steps, num_periods, alpha, beta,
        name)
    return _linear_cosine(fn, learning_rate, global_step, decay_steps,
                          num_periods, alpha, beta, name, "LinearCosineDecay")


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps,
                              initial_variance=1.0, variance_decay=0.55,
                              num_periods=0.5, alpha=0.0, beta=0.001,
                              name=None, *, seed=None):
    """Noisy linear cosine decay, as TF's `noisy_linear_cosine_decay`.

        step = min(global_step, decay_steps)
        linear = (decay_steps - step) / decay_steps + eps
        eps ~ Normal(0, initial_variance / (1 + step) ** variance_decay)
        cosine = 0.5 * (1 + cos(pi * 2 * num_periods * step / decay_steps))
        decayed = learning_rate * ((alpha + linear) * cosine + beta)

    The result can be negative (as in TF).

    Args:
      learning_rate, global_step, decay_steps, name: as in `exponential_decay`
        (default scope `NoisyLinearCosineDecay`).
      initial_variance: number >= 0.
      variance_decay, num_periods, alpha, beta: finite numbers.
      seed: keyword-only int. None (TF's behaviour): fresh noise on every
        evaluation. An int: the noise is a pure function of `(seed, step)`,
        identical across runs, sessions, modes and scalar/vector steps.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.
    """
    fn = "noisy_linear_cosine_decay"
    learning_rate = _validate_linear_cosine(
        fn, learning_rate, global_step, decay_steps, num_periods, alpha, beta,
        name)
    checks.check_number(fn, "initial_variance", initial_variance, low=0)
    checks.check_number(fn, "variance_decay", variance_decay)
    if seed is not None and (isinstance(seed, (bool, np.bool_))
                             or not isinstance(seed, (int, np.integer))):
        checks.fail(fn, "seed", "an int or None", seed, TypeError)

    def noise(step, s):
        dtype = s.dtype
        variance = _const(initial_variance, dtype) / tf.pow(
            1.0 + s, _const(variance_decay, dtype))
        return standard_normal(step, seed, dtype) * tf.sqrt(variance)

    return _linear_cosine(fn, learning_rate, global_step, decay_steps,
                          num_periods, alpha, beta, name,
                          "NoisyLinearCosineDecay", noise=noise)


# --------------------------------------------------------------- piecewise --

def _check_piecewise(fn, x, boundaries, values):
    """TF's wrapper checks, in TF's order, plus the ones TF leaves to run time."""
    checks.check_step(fn, x, arg="x")
    if not isinstance(boundaries, (list, tuple)):
        checks.fail(fn, "boundaries", "a list or tuple", boundaries, TypeError)
    if not isinstance(values, (list, tuple)):
        checks.fail(fn, "values", "a list or tuple", values, TypeError)
    boundaries = list(tf.nest.flatten(boundaries))
    values = list(tf.nest.flatten(values))
    if not boundaries:
        checks.fail(fn, "boundaries", "non-empty", boundaries)
    x_dtype = global_step_dtype() if x is None else checks.static_dtype(x)
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
    return boundaries, values, x_dtype, value_dtypes[0]


def piecewise_constant(x, boundaries, values, name=None):
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
    fn = "piecewise_constant"
    boundaries, values, x_dtype, v_dtype = _check_piecewise(
        fn, x, boundaries, values)
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

    return dual_mode(build, x, fn)


def _stack(items, dtype):
    """One constant for Python numbers, else a stack of (cast) tensors."""
    if not any(tf.is_tensor(v) or isinstance(v, tf.Variable) for v in items):
        return tf.constant(items, dtype)
    return tf.stack([tf.cast(v, dtype) for v in items])


piecewise_constant_decay = piecewise_constant
