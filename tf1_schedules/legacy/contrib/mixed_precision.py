"""`tensorflow.contrib.mixed_precision`: TF1's loss-scale managers and optimizer.

The implementations live in `tf1_schedules.optim.loss_scale_manager`.
"""
from tf1_schedules.legacy.contrib._missing import missing_attribute
from tf1_schedules.optim.loss_scale_manager import (
    ExponentialUpdateLossScaleManager, FixedLossScaleManager,
    LossScaleManager, LossScaleOptimizer)

__all__ = [
    "ExponentialUpdateLossScaleManager",
    "FixedLossScaleManager",
    "LossScaleManager",
    "LossScaleOptimizer",
]


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise missing_attribute("mixed_precision", name, __all__, {
        "DistributedLossScaleOptimizer":
            "LossScaleOptimizer (it works inside tf.distribute)"})
