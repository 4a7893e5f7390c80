"""Every schedule as a step-function factory: `foo_fn(...)` -> `f(step)`.

`foo_fn` takes the arguments of the TF1-style `foo` minus the step and
returns `f(step) -> Tensor`: the schedule at any step Tensor (a scalar, a
1-D vector of steps, a `tf.Variable` or a Keras `iterations` counter;
integer steps are taken as int64). Both are derived from the schedule's one
definition (`_define.Schedule`): the arguments are validated once, when
`f` is made, and `f` only builds ops. Step functions are what
`tf1_schedules.schedules.compose` combines, what the Keras classes and
`tf1_schedules.tools.preview.values` evaluate.

    >>> f = exponential_decay_fn(0.1, decay_steps=10, decay_rate=0.5)
    >>> [round(float(v), 4) for v in f(tf.constant([0, 10, 20]))]
    [0.1, 0.05, 0.025]
"""
import tensorflow as tf  # noqa: F401  (the doctest's `tf`)

from tf1_schedules.schedules import cosine, decay, piecewise
from tf1_schedules.schedules._define import as_step

__all__ = [
    "as_step",
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

exponential_decay_fn = decay.EXPONENTIAL_DECAY.fn
natural_exp_decay_fn = decay.NATURAL_EXP_DECAY.fn
inverse_time_decay_fn = decay.INVERSE_TIME_DECAY.fn
polynomial_decay_fn = decay.POLYNOMIAL_DECAY.fn
piecewise_constant_fn = piecewise.PIECEWISE_CONSTANT.fn
cosine_decay_fn = cosine.COSINE_DECAY.fn
cosine_decay_restarts_fn = cosine.COSINE_DECAY_RESTARTS.fn
linear_cosine_decay_fn = cosine.LINEAR_COSINE_DECAY.fn
noisy_linear_cosine_decay_fn = cosine.NOISY_LINEAR_COSINE_DECAY.fn
