r"""Seed 002, natural exponential decay (continuous and staircase), as
TensorBoard scalars.

    python legacy_examples/natural_exp_decay.py \
        --steps 20000 --logdir ./summary

`tf.train.natural_exp_decay` -> `tf1_schedules.natural_exp_decay`:
    decayed = learning_rate * exp(-decay_rate * global_step / decay_steps)
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
decay_rate = 0.98
decay_steps = 2000


def build(global_step):
    return {
        f"natural_exp_decay_{kind}": tf1_schedules.natural_exp_decay(
            learning_rate=base_learning_rate, decay_rate=decay_rate,
            decay_steps=decay_steps, staircase=staircase,
            global_step=global_step, name=f"natural_exp_decay_{kind}")
        for kind, staircase in (("no_stair", False), ("use_stair", True))}


if __name__ == "__main__":
    run_schedules("natural_exp_decay", build, __doc__)
