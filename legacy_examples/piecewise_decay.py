"""Seed 002, piecewise constant decay, as TensorBoard scalars.

    python legacy_examples/piecewise_decay.py --steps 20000 --logdir ./summary

`tf.train.piecewise_constant_decay` -> `tf1_schedules.piecewise_constant_decay`
(same signature and values: the value switches one step after a boundary).
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
decay_boundaries = [5000, 8000]
learning_rate_value = [base_learning_rate, base_learning_rate / 10.,
                       base_learning_rate / 100.]


def build(global_step):
    learning_rate = tf1_schedules.piecewise_constant_decay(
        global_step, boundaries=decay_boundaries, values=learning_rate_value)
    return {"learning_rate": learning_rate}


if __name__ == "__main__":
    run_schedules("piecewise_decay", build, __doc__)
