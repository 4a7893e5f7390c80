"""tf1_schedules: TF1 learning-rate schedules on public TensorFlow 2.x ops.

Every schedule returns a Tensor in graph mode and a zero-argument callable in
eager mode, driven by `tf.compat.v1.train.get_or_create_global_step()` when
`global_step` is None.
"""
__version__ = "0.1.0"

from tf1_schedules._mode import ScheduleFn
from tf1_schedules._mode import get_global_step
from tf1_schedules._mode import get_or_create_global_step
from tf1_schedules.decay import cosine_decay
from tf1_schedules.decay import cosine_decay_restarts
from tf1_schedules.decay import exponential_decay
from tf1_schedules.decay import inverse_time_decay
from tf1_schedules.decay import linear_cosine_decay
from tf1_schedules.decay import natural_exp_decay
from tf1_schedules.decay import noisy_linear_cosine_decay
from tf1_schedules.decay import piecewise_constant
from tf1_schedules.decay import piecewise_constant_decay
from tf1_schedules.decay import polynomial_decay

__all__ = [
    "ScheduleFn",
    "cosine_decay",
    "cosine_decay_restarts",
    "exponential_decay",
    "get_global_step",
    "get_or_create_global_step",
    "inverse_time_decay",
    "linear_cosine_decay",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "piecewise_constant",
    "piecewise_constant_decay",
    "polynomial_decay",
]
