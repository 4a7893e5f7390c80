r"""Seed 002, cyclic cosine decay (SGDR restarts) for (t_mul, m_mul) =
(1, 1), (2, 1), (2, 0.5), as TensorBoard scalars.

    python legacy_examples/cosine_decay_cycle.py \
        --steps 20000 --logdir ./summary

`tf.train.cosine_decay_restarts` -> `tf1_schedules.cosine_decay_restarts`
(same values, float64 support, and never 0.0 at an exact restart step).
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
first_decay_step = 5000
alpha = 0.0001


def build(global_step):
    return {
        f"cosine_decay_cycle_{label}": tf1_schedules.cosine_decay_restarts(
            learning_rate=base_learning_rate,
            first_decay_steps=first_decay_step, t_mul=t_mul, m_mul=m_mul,
            alpha=alpha, global_step=global_step, name="cosine_decay_cycle")
        for label, t_mul, m_mul in (("1_1", 1, 1), ("2_1", 2, 1),
                                    ("2_05", 2, 0.5))}


if __name__ == "__main__":
    run_schedules("cosine_decay_cycle", build, __doc__)
