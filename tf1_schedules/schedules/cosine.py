"""The cosine family of `tf.compat.v1.train` decays (see `decay`).

`cosine_decay`, `cosine_decay_restarts` (SGDR), `linear_cosine_decay` and
`noisy_linear_cosine_decay`: TF 2.21's signatures, default scopes and float32
values, with float64 support, exact restart indices and a seedable noise.
"""

import numpy as np
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules import _ops as ops
from tf1_schedules.schedules._define import Schedule
from tf1_schedules.schedules._noise import standard_normal

__all__ = [
    "cosine_decay",
    "cosine_decay_restarts",
    "linear_cosine_decay",
    "noisy_linear_cosine_decay",
]


def _cosine_decay(call, learning_rate, decay_steps, alpha=0.0, name=None):
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
    fn = call.fn
    learning_rate = ops.validate_rate_schedule(fn, learning_rate, decay_steps,
                                               name)
    checks.check_number(fn, "alpha", alpha,
                        dtype=ops.compute_dtype(learning_rate))

    def build(step):
        with tf.name_scope(name or "CosineDecay") as scope:
            lr = ops.lr_tensor(learning_rate)
            d = ops.const(decay_steps, lr.dtype)
            s = tf.minimum(tf.cast(step, lr.dtype), d)
            decayed = ops.floor_blend(alpha, ops.half_cosine(s / d, lr.dtype))
            return ops.output(tf.multiply, lr, decayed, scope, learning_rate)

    return build


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


# Below 2**24 a float32 step is exact and TF's formula is kept bit for bit.
_EXACT_FLOAT32_STEPS = 2**24


def _exact_fraction(step, first, fraction):
    """With `t_mul == 1` and integer steps past 2**24: `(step mod first) /
    first` in integer math (TF's float32 `f - i` loses the fraction there,
    e.g. 1.0 instead of 0.794 at step 2**40 + 7 with first_decay_steps=10)."""
    if not step.dtype.is_integer or not checks.is_integral(first):
        return fraction
    first = int(checks.static_number(first))
    step64 = tf.cast(step, tf.int64)
    done = tf.cast(tf.math.floormod(step64, first), tf.float64) / first
    return tf.where(tf.abs(step64) < _EXACT_FLOAT32_STEPS, fraction,
                    tf.cast(done, fraction.dtype))


def _restart_fraction(f, i, t, t_mul_known):
    """How much of period `i` is done, by TF's own formula."""
    if t_mul_known == 1:
        return f - i
    geometric = (f - (1.0 - t ** i) / (1.0 - t)) / t ** i
    if t_mul_known is None:
        return tf.where(tf.equal(t, 1.0), f - i, geometric)
    return geometric


def _cosine_decay_restarts(call, learning_rate, first_decay_steps, t_mul=2.0,
                           m_mul=1.0, alpha=0.0, name=None):
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
    fn = call.fn
    learning_rate = ops.validate_rate_schedule(
        fn, learning_rate, first_decay_steps, name,
        steps_arg="first_decay_steps")
    dtype = ops.compute_dtype(learning_rate)
    checks.check_number(fn, "t_mul", t_mul, low=0, low_inclusive=False,
                        dtype=dtype)
    # m_mul > 1 grows every period's peak without bound: inf, then NaN.
    checks.check_number(fn, "m_mul", m_mul, low=0, high=1)
    checks.check_number(fn, "alpha", alpha, dtype=dtype)
    t_mul_known = checks.static_number(t_mul)

    def build(step):
        with tf.name_scope(name or "SGDRDecay") as scope:
            lr = ops.lr_tensor(learning_rate)
            first = ops.const(first_decay_steps, lr.dtype)
            floor = ops.const(alpha, lr.dtype)
            t = ops.const(t_mul, lr.dtype)
            m = ops.const(m_mul, lr.dtype)
            step = tf.convert_to_tensor(step)
            f = tf.cast(step, lr.dtype) / first
            i = _restart_index(step, first, t, t_mul_known)
            fraction = _restart_fraction(f, i, t, t_mul_known)
            if t_mul_known == 1:
                fraction = _exact_fraction(step, first_decay_steps, fraction)
            cosine = ops.half_cosine(fraction, lr.dtype, peak=m ** i)
            decayed = ops.floor_blend(floor, cosine)
            if t_mul_known is None or t_mul_known < 1:
                decayed = tf.where(1.0 - f * (1.0 - t) > 0, decayed,
                                   floor * tf.ones_like(decayed))
            return ops.output(tf.multiply, lr, decayed, scope, learning_rate)

    return build


def _linear_cosine(learning_rate, decay_steps, num_periods, alpha, beta, name,
                   default_scope, noise=None):
    """Shared body of `linear_cosine_decay` and `noisy_linear_cosine_decay`.

    `noise(step_clamped, dtype) -> Tensor` is added to the linear part.
    """

    def build(step):
        with tf.name_scope(name or default_scope) as scope:
            lr = ops.lr_tensor(learning_rate)
            d = ops.const(decay_steps, lr.dtype)
            periods = ops.const(num_periods, lr.dtype)
            a = ops.const(alpha, lr.dtype)
            b = ops.const(beta, lr.dtype)
            s = tf.minimum(tf.cast(step, lr.dtype), d)
            linear = (d - s) / d
            if noise is not None:
                linear = linear + noise(step, s)
            cosine = ops.half_cosine(2.0 * periods * (s / d), lr.dtype)
            return ops.output(tf.multiply, lr, (a + linear) * cosine + b,
                              scope, learning_rate)

    return build


def _validate_linear_cosine(fn, learning_rate, decay_steps, num_periods,
                            alpha, beta, name):
    learning_rate = ops.validate_rate_schedule(fn, learning_rate, decay_steps,
                                               name)
    dtype = ops.compute_dtype(learning_rate)
    checks.check_number(fn, "num_periods", num_periods, dtype=dtype)
    checks.check_number(fn, "alpha", alpha, dtype=dtype)
    checks.check_number(fn, "beta", beta, dtype=dtype)
    return learning_rate


def _linear_cosine_decay(call, learning_rate, decay_steps, num_periods=0.5,
                         alpha=0.0, beta=0.001, name=None):
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
    learning_rate = _validate_linear_cosine(
        call.fn, learning_rate, decay_steps, num_periods, alpha, beta, name)
    return _linear_cosine(learning_rate, decay_steps, num_periods, alpha, beta,
                          name, "LinearCosineDecay")


def _noisy_linear_cosine_decay(call, learning_rate, decay_steps,
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
    fn = call.fn
    learning_rate = _validate_linear_cosine(
        fn, learning_rate, decay_steps, num_periods, alpha, beta, name)
    dtype = ops.compute_dtype(learning_rate)
    checks.check_number(fn, "initial_variance", initial_variance, low=0,
                        dtype=dtype)
    checks.check_number(fn, "variance_decay", variance_decay, dtype=dtype)
    if seed is not None and (isinstance(seed, (bool, np.bool_))
                             or not isinstance(seed, (int, np.integer))):
        checks.fail(fn, "seed", "an int or None", seed, TypeError)

    def noise(step, s):
        dtype = s.dtype
        variance = ops.const(initial_variance, dtype) / tf.pow(
            1.0 + s, ops.const(variance_decay, dtype))
        return standard_normal(step, seed, dtype) * tf.sqrt(variance)

    return _linear_cosine(learning_rate, decay_steps, num_periods, alpha, beta,
                          name, "NoisyLinearCosineDecay", noise=noise)


COSINE_DECAY = Schedule(_cosine_decay, "cosine_decay")
COSINE_DECAY_RESTARTS = Schedule(_cosine_decay_restarts,
                                 "cosine_decay_restarts")
LINEAR_COSINE_DECAY = Schedule(_linear_cosine_decay, "linear_cosine_decay")
NOISY_LINEAR_COSINE_DECAY = Schedule(_noisy_linear_cosine_decay,
                                     "noisy_linear_cosine_decay")

cosine_decay = COSINE_DECAY.tf1
cosine_decay_restarts = COSINE_DECAY_RESTARTS.tf1
linear_cosine_decay = LINEAR_COSINE_DECAY.tf1
noisy_linear_cosine_decay = NOISY_LINEAR_COSINE_DECAY.tf1
