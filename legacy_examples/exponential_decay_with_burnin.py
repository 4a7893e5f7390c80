r"""Seed 002, exponential decay after a 2000-step burn-in (Object Detection
API), as TensorBoard scalars.

    python legacy_examples/exponential_decay_with_burnin.py --steps 20000 \
        --logdir ./summary

The seed pasted OD's `exponential_decay_with_burnin` into the script; it is
`tf1_schedules.exponential_decay_with_burnin` (same signature, global
step first; no int32 step cast).
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
decay_rate = 0.98
decay_steps = 2000
burnin_learning_rate = 0.001
burnin_steps = 2000


def build(global_step):
    learning_rate = tf1_schedules.exponential_decay_with_burnin(
        learning_rate_base=base_learning_rate,
        learning_rate_decay_steps=decay_steps,
        learning_rate_decay_factor=decay_rate,
        burnin_learning_rate=burnin_learning_rate, burnin_steps=burnin_steps,
        staircase=True, global_step=global_step)
    return {"exponential_decay_with_burnin": learning_rate}


if __name__ == "__main__":
    run_schedules("exponential_decay_with_burnin", build, __doc__)
