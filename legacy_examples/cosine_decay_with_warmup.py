r"""Seed 002, cosine decay after a linear warmup, with and without a
2000-step hold (OD), as TensorBoard scalars.

    python legacy_examples/cosine_decay_with_warmup.py --steps 20000 \
        --logdir ./summary

The seed pasted a copy of OD's `cosine_decay_with_warmup` taking
`total_decay_steps` and a raw `alpha`; `tf1_schedules.
cosine_decay_with_warmup` accepts `total_decay_steps=` as an alias and takes
`alpha` as a fraction of `learning_rate_base` (the copy's raw 1e-5 with base
0.01 is `alpha=0.001`), ending there continuously instead of jumping to the
raw `alpha` after `total_decay_steps`.
"""
import tf1_schedules
from _common import run_schedules

total_decay_step = 15000
base_learning_rate = 0.01
warmup_learning_rate = 0.0001
warmup_steps = 2000
alpha = 0.00001 / base_learning_rate


def build(global_step):
    return {
        f"cosine_decay_with_warmup_hold_{label}":
            tf1_schedules.cosine_decay_with_warmup(
                learning_rate_base=base_learning_rate,
                total_decay_steps=total_decay_step, alpha=alpha,
                warmup_learning_rate=warmup_learning_rate,
                warmup_steps=warmup_steps, hold_base_rate_steps=hold,
                global_step=global_step)
        for label, hold in (("2000", 2000), ("no", 0))}


if __name__ == "__main__":
    run_schedules("cosine_decay_with_warmup", build, __doc__)
