"""Seed 002, polynomial decay with powers 1, 0.5 and 2, as TensorBoard
scalars.

    python legacy_examples/polynomial_decay.py --steps 20000 --logdir ./summary

`tf.train.polynomial_decay` -> `tf1_schedules.polynomial_decay`:
    global_step = min(global_step, decay_steps)
    decayed = ((learning_rate - end_learning_rate)
               * (1 - global_step / decay_steps) ** power + end_learning_rate)
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
decay_steps = 10000
end_learning_rate = 0.00001


def build(global_step):
    return {
        f"polynomial_decay_power_{label}": tf1_schedules.polynomial_decay(
            learning_rate=base_learning_rate, decay_steps=decay_steps,
            end_learning_rate=end_learning_rate, power=power,
            global_step=global_step, name=f"polynomial_decay_power_{label}")
        for label, power in (("1", 1.), ("05", 0.5), ("2", 2))}


if __name__ == "__main__":
    run_schedules("polynomial_decay", build, __doc__)
