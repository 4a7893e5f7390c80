"""The nine decays as step functions: `f(step) -> Tensor`.

Every TF1-style schedule `foo(..., global_step, ...)` of the package has a
step-function form `foo_fn(...)` (same arguments, no step) that returns
`f(step)`: the schedule evaluated at any step Tensor (a scalar, a 1-D vector
of steps, a `tf.Variable` or a Keras `iterations` counter). Step functions are
what `tf1_schedules.schedules.compose` combines (`join`, `warmup`), what Keras
schedules and `tf1_schedules.tools.preview.values` evaluate, and the TF1-style
function is `dual_mode(f, global_step)`.

The forms below call the `tf1_schedules.schedules.decay` functions with the step (they
build their ops directly in graph mode and inside `tf.function`, and return a
callable in eager mode that is called at once), so the decay math lives in one
place. Arguments are validated when the step function is created, in graph
and eager mode (the TF1-style function's own checks, run under
`_mode.checks_only()`: no op is built for that), and again on every call.

    >>> f = exponential_decay_fn(0.1, decay_steps=10, decay_rate=0.5)
    >>> [round(float(v), 4) for v in f(tf.constant([0, 10, 20]))]
    [0.1, 0.05, 0.025]
"""
import numpy as np
import tensorflow as tf

from tf1_schedules.schedules import decay
from tf1_schedules.schedules._mode import ScheduleFn, checks_only

__all__ = [
    "as_step",
    "from_tf1",
    "exponential_decay_fn",
    "natural_exp_decay_fn",
    "inverse_time_decay_fn",
    "polynomial_decay_fn",
    "piecewise_constant_fn",
    "cosine_decay_fn",
    "cosine_decay_restarts_fn",
    "linear_cosine_decay_fn",
    "noisy_linear_cosine_decay_fn",
]

# The step a validation probe passes: int64 like every global step.
_PROBE_STEP = np.int64(0)


def as_step(step):
    """`step` as a Tensor; integer steps widened to int64 (never int32)."""
    step = tf.convert_to_tensor(step)
    if step.dtype.is_integer and step.dtype != tf.int64:
        step = tf.cast(step, tf.int64)
    return step


def _value(result):
    """A decay's result: a Tensor (graph mode) or a callable (eager mode)."""
    return result() if isinstance(result, ScheduleFn) else result


def from_tf1(tf1_fn, step_arg="global_step", **params):
    """The step function of a TF1-style schedule function.

        f(step) == tf1_fn(**params, <step_arg>=step)   # evaluated

    Args:
      tf1_fn: a TF1-style function of this package (Tensor in graph mode,
        zero-argument callable in eager mode).
      step_arg: the name of its step argument (`x` for `piecewise_constant`).
      **params: every other argument, by name.

    Returns:
      `f(step) -> Tensor`. The arguments are validated now (no op is built).
    """
    with checks_only():
        tf1_fn(**params, **{step_arg: _PROBE_STEP})

    def schedule(step):
        return _value(tf1_fn(**params, **{step_arg: as_step(step)}))

    schedule.__name__ = f"{tf1_fn.__name__}_fn"
    return schedule


def exponential_decay_fn(learning_rate, decay_steps, decay_rate,
                         staircase=False, name=None):
    """Step function of `exponential_decay` (same arguments, no step)."""
    return from_tf1(decay.exponential_decay, learning_rate=learning_rate,
                    decay_steps=decay_steps, decay_rate=decay_rate,
                    staircase=staircase, name=name)


def natural_exp_decay_fn(learning_rate, decay_steps, decay_rate,
                         staircase=False, name=None):
    """Step function of `natural_exp_decay` (same arguments, no step)."""
    return from_tf1(decay.natural_exp_decay, learning_rate=learning_rate,
                    decay_steps=decay_steps, decay_rate=decay_rate,
                    staircase=staircase, name=name)


def inverse_time_decay_fn(learning_rate, decay_steps, decay_rate,
                          staircase=False, name=None):
    """Step function of `inverse_time_decay` (same arguments, no step)."""
    return from_tf1(decay.inverse_time_decay, learning_rate=learning_rate,
                    decay_steps=decay_steps, decay_rate=decay_rate,
                    staircase=staircase, name=name)


def polynomial_decay_fn(learning_rate, decay_steps, end_learning_rate=0.0001,
                        power=1.0, cycle=False, name=None):
    """Step function of `polynomial_decay` (same arguments, no step)."""
    return from_tf1(decay.polynomial_decay, learning_rate=learning_rate,
                    decay_steps=decay_steps,
                    end_learning_rate=end_learning_rate, power=power,
                    cycle=cycle, name=name)


def piecewise_constant_fn(boundaries, values, name=None):
    """Step function of `piecewise_constant` (same arguments, no `x`).

    Integer steps are int64, so int32 or int64 boundaries both work.
    """
    return from_tf1(decay.piecewise_constant, step_arg="x",
                    boundaries=boundaries, values=values, name=name)


def cosine_decay_fn(learning_rate, decay_steps, alpha=0.0, name=None):
    """Step function of `cosine_decay` (same arguments, no step)."""
    return from_tf1(decay.cosine_decay, learning_rate=learning_rate,
                    decay_steps=decay_steps, alpha=alpha, name=name)


def cosine_decay_restarts_fn(learning_rate, first_decay_steps, t_mul=2.0,
                             m_mul=1.0, alpha=0.0, name=None):
    """Step function of `cosine_decay_restarts` (same arguments, no step)."""
    return from_tf1(decay.cosine_decay_restarts, learning_rate=learning_rate,
                    first_decay_steps=first_decay_steps, t_mul=t_mul,
                    m_mul=m_mul, alpha=alpha, name=name)


def linear_cosine_decay_fn(learning_rate, decay_steps, num_periods=0.5,
                           alpha=0.0, beta=0.001, name=None):
    """Step function of `linear_cosine_decay` (same arguments, no step)."""
    return from_tf1(decay.linear_cosine_decay, learning_rate=learning_rate,
                    decay_steps=decay_steps, num_periods=num_periods,
                    alpha=alpha, beta=beta, name=name)


def noisy_linear_cosine_decay_fn(learning_rate, decay_steps,
                                 initial_variance=1.0, variance_decay=0.55,
                                 num_periods=0.5, alpha=0.0, beta=0.001,
                                 name=None, *, seed=None):
    """Step function of `noisy_linear_cosine_decay` (same arguments, no step)."""
    return from_tf1(decay.noisy_linear_cosine_decay,
                    learning_rate=learning_rate, decay_steps=decay_steps,
                    initial_variance=initial_variance,
                    variance_decay=variance_decay, num_periods=num_periods,
                    alpha=alpha, beta=beta, name=name, seed=seed)
