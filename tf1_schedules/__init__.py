"""tf1_schedules: TF1 learning-rate schedules on public TensorFlow 2.x ops.

Every schedule returns a Tensor in graph mode and a zero-argument callable in
eager mode, driven by `tf.compat.v1.train.get_or_create_global_step()` when
`global_step` is None.

Layout (each layer imports only the ones below it):
`schedules` (the schedules), `optim` (optimizers), `slim` (tf-slim repairs,
fine-tuning), `keras_schedules` (Keras classes), `tools` (preview, CLI).
Importing the package changes nothing in TensorFlow; the tf-slim repairs are
`tf1_schedules.slim.repairs.patch()` or `import tf1_schedules.slim_compat`.
"""
__version__ = "0.1.0"

from tf1_schedules.schedules._mode import ScheduleFn
from tf1_schedules.schedules._mode import get_global_step
from tf1_schedules.schedules._mode import get_or_create_global_step
from tf1_schedules.schedules.decay import cosine_decay
from tf1_schedules.schedules.decay import cosine_decay_restarts
from tf1_schedules.schedules.decay import exponential_decay
from tf1_schedules.schedules.decay import inverse_time_decay
from tf1_schedules.schedules.decay import linear_cosine_decay
from tf1_schedules.schedules.decay import natural_exp_decay
from tf1_schedules.schedules.decay import noisy_linear_cosine_decay
from tf1_schedules.schedules.decay import piecewise_constant
from tf1_schedules.schedules.decay import piecewise_constant_decay
from tf1_schedules.schedules.decay import polynomial_decay
from tf1_schedules.schedules.od import cosine_decay_with_warmup
from tf1_schedules.schedules.od import exponential_decay_with_burnin
from tf1_schedules.schedules.od import exponential_decay_with_warmup
from tf1_schedules.schedules.od import manual_stepping
from tf1_schedules.schedules.od import piecewise_with_warmup
from tf1_schedules.schedules.bert_curve import bert_learning_rate
from tf1_schedules.schedules.compose import at_global_step
from tf1_schedules.schedules.compose import bert_warmup
from tf1_schedules.schedules.compose import join
from tf1_schedules.schedules.compose import with_warmup
from tf1_schedules.keras_schedules import LRScheduler
from tf1_schedules.schedules.policies import constant_learning_rate
from tf1_schedules.schedules.policies import cosine_annealing_warm_restarts
from tf1_schedules.schedules.policies import one_cycle
from tf1_schedules.schedules.policies import step_decay_with_warmup
from tf1_schedules.tools.preview import plot
from tf1_schedules.tools.gallery import render_gallery
from tf1_schedules.tools.preview import values
from tf1_schedules.tools.preview import write_tensorboard
from tf1_schedules.optim.bert import AdamWeightDecayOptimizer
from tf1_schedules.optim.bert import bert_optimizer
from tf1_schedules.optim.bert import create_optimizer
from tf1_schedules.optim.groups import Group
from tf1_schedules.optim.groups import layer_decay_groups
from tf1_schedules.optim.groups import slim_blocks
from tf1_schedules.optim.loss_scale import DynamicLossScale
from tf1_schedules.optim.grouped import GroupedOptimizer
from tf1_schedules.optim.grouped import minimize_groups
from tf1_schedules import keras_schedules  # registers the Keras classes
from tf1_schedules.schedules import compose
from tf1_schedules.schedules import step_fns

__all__ = [
    "AdamWeightDecayOptimizer",
    "DynamicLossScale",
    "Group",
    "GroupedOptimizer",
    "LRScheduler",
    "ScheduleFn",
    "at_global_step",
    "bert_learning_rate",
    "bert_optimizer",
    "bert_warmup",
    "compose",
    "constant_learning_rate",
    "cosine_annealing_warm_restarts",
    "cosine_decay",
    "cosine_decay_restarts",
    "cosine_decay_with_warmup",
    "create_optimizer",
    "exponential_decay",
    "exponential_decay_with_burnin",
    "exponential_decay_with_warmup",
    "get_global_step",
    "get_or_create_global_step",
    "inverse_time_decay",
    "join",
    "keras_schedules",
    "layer_decay_groups",
    "linear_cosine_decay",
    "manual_stepping",
    "minimize_groups",
    "natural_exp_decay",
    "noisy_linear_cosine_decay",
    "one_cycle",
    "piecewise_constant",
    "piecewise_constant_decay",
    "piecewise_with_warmup",
    "plot",
    "polynomial_decay",
    "render_gallery",
    "slim_blocks",
    "step_decay_with_warmup",
    "step_fns",
    "values",
    "with_warmup",
    "write_tensorboard",
]
