"""Every schedule of the package by name: its TF1-style function and its
step-function factory. Used by `preview` (values, plots, gallery), the CLI and
`keras_schedules`.

    >>> f = get("exponential_decay").fn(learning_rate=0.1, decay_steps=10,
    ...                                 decay_rate=0.5)
"""
import inspect
from typing import Callable, NamedTuple, Optional

from tf1_schedules.schedules import decay
from tf1_schedules.schedules import policies
from tf1_schedules.schedules import step_fns
from tf1_schedules.schedules import od as warmup

__all__ = ["Entry", "SCHEDULES", "ALIASES", "get", "names", "find"]


class Entry(NamedTuple):
    """One schedule.

    Attributes:
      name: the TF1-style function's name (the CLI and gallery name).
      fn: the factory: `fn(**params) -> f(step) -> Tensor`.
      tf1: the TF1-style function (step argument included), or None.
      step_arg: the name of `tf1`'s step argument.
    """
    name: str
    fn: Callable
    tf1: Optional[Callable] = None
    step_arg: str = "global_step"

    @property
    def summary(self):
        doc = inspect.getdoc(self.tf1 or self.fn) or ""
        return doc.splitlines()[0] if doc else ""

    @property
    def parameters(self):
        """The factory's parameters (name -> inspect.Parameter)."""
        return dict(inspect.signature(self.fn).parameters)


def _entries():
    decays = [
        ("exponential_decay", step_fns.exponential_decay_fn),
        ("natural_exp_decay", step_fns.natural_exp_decay_fn),
        ("inverse_time_decay", step_fns.inverse_time_decay_fn),
        ("polynomial_decay", step_fns.polynomial_decay_fn),
        ("piecewise_constant", step_fns.piecewise_constant_fn),
        ("cosine_decay", step_fns.cosine_decay_fn),
        ("cosine_decay_restarts", step_fns.cosine_decay_restarts_fn),
        ("linear_cosine_decay", step_fns.linear_cosine_decay_fn),
        ("noisy_linear_cosine_decay", step_fns.noisy_linear_cosine_decay_fn),
    ]
    entries = [Entry(name, fn, getattr(decay, name),
                     "x" if name == "piecewise_constant" else "global_step")
               for name, fn in decays]
    for module, names in ((warmup, ("exponential_decay_with_burnin",
                                    "exponential_decay_with_warmup",
                                    "piecewise_with_warmup",
                                    "cosine_decay_with_warmup",
                                    "bert_learning_rate")),
                          (policies, ("constant_learning_rate",
                                      "step_decay_with_warmup",
                                      "cosine_annealing_warm_restarts",
                                      "one_cycle"))):
        entries += [Entry(name, getattr(module, name + "_fn"),
                          getattr(module, name)) for name in names]
    entries.append(Entry("lr_scheduler", policies.lr_scheduler_fn))
    return {entry.name: entry for entry in entries}


SCHEDULES = _entries()
ALIASES = {
    "piecewise_constant_decay": "piecewise_constant",
    "manual_stepping": "piecewise_with_warmup",
    "LRScheduler": "lr_scheduler",
}


def names():
    """The schedule names (aliases excluded), in package order."""
    return list(SCHEDULES)


def get(name):
    """The entry called `name` (or an alias). ValueError if unknown."""
    entry = SCHEDULES.get(ALIASES.get(name, name))
    if entry is None:
        raise ValueError(
            f"unknown schedule {name!r}; known schedules: "
            + ", ".join(names()) + ".")
    return entry


def find(obj):
    """The entry whose TF1 function or factory is `obj`, or None."""
    for entry in SCHEDULES.values():
        if obj is entry.tf1 or obj is entry.fn:
            return entry
    if obj is decay.piecewise_constant_decay:
        return SCHEDULES["piecewise_constant"]
    return None
