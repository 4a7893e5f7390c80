"""Seed 002, cosine decay, as TensorBoard scalars.

    python legacy_examples/cosine_decay.py --steps 20000 --logdir ./summary

`tf.train.cosine_decay` -> `tf1_schedules.cosine_decay`:
    global_step = min(global_step, decay_steps)
    cosine_decay = 0.5 * (1 + cos(pi * global_step / decay_steps))
    decayed = learning_rate * ((1 - alpha) * cosine_decay + alpha)
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
decay_steps = 10000
alpha = 0.001


def build(global_step):
    learning_rate = tf1_schedules.cosine_decay(
        learning_rate=base_learning_rate, decay_steps=decay_steps,
        alpha=alpha, global_step=global_step, name="cosine_decay")
    return {"learning_rate": learning_rate}


if __name__ == "__main__":
    run_schedules("cosine_decay", build, __doc__)
