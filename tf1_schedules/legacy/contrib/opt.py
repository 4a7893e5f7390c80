"""`tensorflow.contrib.opt`: decoupled weight decay and parameter averaging.

The implementations live in `tf1_schedules.optim.weight_decay` and
`tf1_schedules.optim.moving_average`. Other TF1 `contrib.opt` optimizers
are not provided.
"""
from tf1_schedules.legacy.contrib._missing import missing_attribute
from tf1_schedules.optim.moving_average import MovingAverageOptimizer
from tf1_schedules.optim.weight_decay import (
    AdamWOptimizer, DecoupledWeightDecayExtension, MomentumWOptimizer,
    extend_with_decoupled_weight_decay)

__all__ = [
    "AdamWOptimizer",
    "DecoupledWeightDecayExtension",
    "MomentumWOptimizer",
    "MovingAverageOptimizer",
    "extend_with_decoupled_weight_decay",
]

_MOVED = {
    "LazyAdamOptimizer": "tf.compat.v1.train.AdamOptimizer (dense updates)",
    "NadamOptimizer": "tf.keras.optimizers.Nadam",
    "ShampooOptimizer": "an optimizer library for TF 2.x",
}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise missing_attribute("opt", name, __all__, _MOVED)
