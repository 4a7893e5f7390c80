r"""Seed 002, linear cosine decay with 0.5 and 4 periods, as TensorBoard
scalars.

    python legacy_examples/linear_cosine_decay.py \
        --steps 20000 --logdir ./summary

`tf.train.linear_cosine_decay` -> `tf1_schedules.linear_cosine_decay`:
    global_step = min(global_step, decay_steps)
    linear_decay = (decay_steps - global_step) / decay_steps
    cosine_decay = 0.5 * (1 + cos(pi * 2 * num_periods * global_step
                                  / decay_steps))
    decayed = learning_rate * ((alpha + linear_decay) * cosine_decay + beta)
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
decay_steps = 10000
alpha = 0.001
beta = 0.001


def build(global_step):
    return {
        f"linear_cosine_decay_{label}": tf1_schedules.linear_cosine_decay(
            learning_rate=base_learning_rate, decay_steps=decay_steps,
            num_periods=num_periods, alpha=alpha, beta=beta,
            global_step=global_step, name=f"linear_cosine_decay_{label}")
        for label, num_periods in (("05", 0.5), ("4", 4))}


if __name__ == "__main__":
    run_schedules("linear_cosine_decay", build, __doc__)
