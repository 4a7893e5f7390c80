r"""Seed 002, piecewise constant rates without and with a linear warmup (OD's
`manual_stepping`), as TensorBoard scalars.

    python legacy_examples/piecewise_with_warmup.py \
        --steps 20000 --logdir ./summary

The seed pasted `piecewise_with_warmup` into the script; it is
`tf1_schedules.piecewise_with_warmup` (= `manual_stepping`): the
same values, with a closed-form warmup instead of one boundary per step.
"""
import tf1_schedules
from _common import run_schedules

base_learning_rate = 0.01
warmup_rates = 0.00001
decay_boundaries = [5000, 8000]
learning_rates = [base_learning_rate, base_learning_rate / 10.,
                  base_learning_rate / 100.]
warmup_steps = 2000
decay_boundaries_warmup = [warmup_steps, 5000, 8000]
learning_rates_warmup = [warmup_rates] + learning_rates


def build(global_step):
    return {
        "piecewise_no_warmup": tf1_schedules.piecewise_with_warmup(
            boundaries=decay_boundaries, rates=learning_rates, warmup=False,
            global_step=global_step),
        "piecewise_with_warmup": tf1_schedules.piecewise_with_warmup(
            boundaries=decay_boundaries_warmup, rates=learning_rates_warmup,
            warmup=True, global_step=global_step)}


if __name__ == "__main__":
    run_schedules("piecewise_with_warmup", build, __doc__)
