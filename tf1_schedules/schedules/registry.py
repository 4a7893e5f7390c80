"""Every schedule of the package by name: one `Schedule` each (its TF1-style
function `.tf1`, its step-function factory `.fn`, `.make(caller, ...)`).
Used by `tools.preview` (values, plots, gallery), the CLI and
`keras_schedules`.

    >>> f = get("exponential_decay").fn(learning_rate=0.1, decay_steps=10,
    ...                                 decay_rate=0.5)
    >>> round(float(f(20)), 4)
    0.025
"""
from tf1_schedules.schedules import bert_curve, cosine, decay, od, piecewise
from tf1_schedules.schedules import policies

__all__ = ["SCHEDULES", "ALIASES", "get", "names", "find"]

SCHEDULES = {schedule.name: schedule for schedule in (
    decay.EXPONENTIAL_DECAY,
    decay.NATURAL_EXP_DECAY,
    decay.INVERSE_TIME_DECAY,
    decay.POLYNOMIAL_DECAY,
    piecewise.PIECEWISE_CONSTANT,
    cosine.COSINE_DECAY,
    cosine.COSINE_DECAY_RESTARTS,
    cosine.LINEAR_COSINE_DECAY,
    cosine.NOISY_LINEAR_COSINE_DECAY,
    od.EXPONENTIAL_DECAY_WITH_BURNIN,
    od.EXPONENTIAL_DECAY_WITH_WARMUP,
    od.PIECEWISE_WITH_WARMUP,
    od.COSINE_DECAY_WITH_WARMUP,
    bert_curve.BERT_LEARNING_RATE,
    policies.CONSTANT_LEARNING_RATE,
    policies.STEP_DECAY_WITH_WARMUP,
    policies.COSINE_ANNEALING_WARM_RESTARTS,
    policies.ONE_CYCLE,
    policies.LR_SCHEDULER,
)}
ALIASES = {
    "piecewise_constant_decay": "piecewise_constant",
    "manual_stepping": "piecewise_with_warmup",
    "LRScheduler": "lr_scheduler",
}


def names():
    """The schedule names (aliases excluded), in package order."""
    return list(SCHEDULES)


def get(name):
    """The schedule called `name` (or an alias). ValueError if unknown."""
    schedule = SCHEDULES.get(ALIASES.get(name, name))
    if schedule is None:
        raise ValueError(
            f"unknown schedule {name!r}; known schedules: "
            + ", ".join(names()) + ".")
    return schedule


def find(obj):
    """The schedule whose TF1 function or factory is `obj`, or None."""
    if obj is None:
        return None
    for schedule in SCHEDULES.values():
        if obj is schedule.tf1 or obj is schedule.fn:
            return schedule
    return None
