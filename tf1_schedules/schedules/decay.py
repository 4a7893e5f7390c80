"""The nine `tf.compat.v1.train.*_decay` functions, on public TF ops.

Same signatures, defaults, default name scopes and float32 values as TF 2.21
(bit for bit for steps below 2**24). This module has the exponential family
and `polynomial_decay`, and re-exports the cosine family (`cosine`) and
`piecewise_constant` (`piecewise`), so all nine live under one name. Every function returns a scalar Tensor
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
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules import _ops as ops
from tf1_schedules.schedules._define import Schedule
from tf1_schedules.schedules.cosine import cosine_decay
from tf1_schedules.schedules.cosine import cosine_decay_restarts
from tf1_schedules.schedules.cosine import linear_cosine_decay
from tf1_schedules.schedules.cosine import noisy_linear_cosine_decay
from tf1_schedules.schedules.piecewise import piecewise_constant
from tf1_schedules.schedules.piecewise import piecewise_constant_decay

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


# ------------------------------------------------------- exponential family --

def _exponential(fn, learning_rate, decay_steps, decay_rate, staircase, name,
                 rate_transform=None):
    """Shared body of `exponential_decay` and `natural_exp_decay`."""
    staircase = checks.check_flag(fn, "staircase", staircase)

    def build(step):
        with tf.name_scope(name or "ExponentialDecay") as scope:
            lr = ops.lr_tensor(learning_rate)
            rate = ops.const(decay_rate, lr.dtype)
            if rate_transform is not None:
                rate = rate_transform(rate)
            p = ops.decay_exponent(step, decay_steps, staircase, lr.dtype)
            return ops.output(tf.multiply, lr, tf.pow(rate, p), scope,
                              learning_rate)

    return build


def _exponential_decay(call, learning_rate, decay_steps, decay_rate,
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
      >>> round(float(lr()), 6)   # eager: a callable; graph: a Tensor
      0.05
    """
    fn = call.fn
    learning_rate = ops.validate_rate_schedule(fn, learning_rate, decay_steps,
                                               name)
    checks.check_number(fn, "decay_rate", decay_rate, low=0,
                        low_inclusive=False,
                        dtype=ops.compute_dtype(learning_rate))
    return _exponential(fn, learning_rate, decay_steps, decay_rate, staircase,
                        name)


def _natural_exp_decay(call, learning_rate, decay_steps, decay_rate,
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
    fn = call.fn
    learning_rate = ops.validate_rate_schedule(fn, learning_rate, decay_steps,
                                               name)
    checks.check_number(fn, "decay_rate", decay_rate,
                        dtype=ops.compute_dtype(learning_rate))
    return _exponential(fn, learning_rate, decay_steps, decay_rate, staircase,
                        name, rate_transform=lambda r: tf.exp(tf.negative(r)))


def _inverse_time_decay(call, learning_rate, decay_steps, decay_rate,
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
    fn = call.fn
    learning_rate = ops.validate_rate_schedule(fn, learning_rate, decay_steps,
                                               name)
    checks.check_number(fn, "decay_rate", decay_rate, low=0,
                        dtype=ops.compute_dtype(learning_rate))
    staircase = checks.check_flag(fn, "staircase", staircase)

    def build(step):
        with tf.name_scope(name or "InverseTimeDecay") as scope:
            lr = ops.lr_tensor(learning_rate)
            rate = ops.const(decay_rate, lr.dtype)
            p = ops.decay_exponent(step, decay_steps, staircase, lr.dtype)
            denom = tf.add(tf.constant(1, lr.dtype), tf.multiply(rate, p))
            return ops.output(tf.divide, lr, denom, scope, learning_rate)

    return build


def _polynomial_decay(call, learning_rate, decay_steps,
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
    fn = call.fn
    learning_rate = ops.validate_rate_schedule(fn, learning_rate, decay_steps,
                                               name)
    dtype = ops.compute_dtype(learning_rate)
    checks.check_number(fn, "end_learning_rate", end_learning_rate,
                        dtype=dtype)
    checks.check_number(fn, "power", power, low=0, dtype=dtype)
    cycle = checks.check_flag(fn, "cycle", cycle)

    def build(step):
        with tf.name_scope(name or "PolynomialDecay") as scope:
            lr = ops.lr_tensor(learning_rate)
            end = ops.const(end_learning_rate, lr.dtype)
            exponent = ops.const(power, lr.dtype)
            step = tf.convert_to_tensor(step)
            s = tf.cast(step, lr.dtype)
            d = ops.const(decay_steps, lr.dtype)
            if cycle:
                multiplier = tf.where(
                    tf.equal(s, 0), tf.constant(1.0, lr.dtype),
                    ops.ceil_div(step, decay_steps, s, d))
                d = tf.multiply(d, multiplier)
            else:
                s = tf.minimum(s, d)
            p = tf.divide(s, d)
            return ops.output(
                tf.add, tf.multiply(lr - end, tf.pow(1 - p, exponent)), end,
                scope, learning_rate)

    return build


EXPONENTIAL_DECAY = Schedule(_exponential_decay, "exponential_decay")
NATURAL_EXP_DECAY = Schedule(_natural_exp_decay, "natural_exp_decay")
INVERSE_TIME_DECAY = Schedule(_inverse_time_decay, "inverse_time_decay")
POLYNOMIAL_DECAY = Schedule(_polynomial_decay, "polynomial_decay")

exponential_decay = EXPONENTIAL_DECAY.tf1
natural_exp_decay = NATURAL_EXP_DECAY.tf1
inverse_time_decay = INVERSE_TIME_DECAY.tf1
polynomial_decay = POLYNOMIAL_DECAY.tf1
