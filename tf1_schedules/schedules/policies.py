"""The `LRScheduler` policies (constant, step, cosine, onecycle) as graph ops.

`LRScheduler(iterations, lr, policy='step', warm_up=0.1, ...)` keeps the
interface of the popular Keras snippet (`lr_scheduler.update(optimizer, i)`
once per iteration), but every policy is a closed-form function of the step,
built from `tf1_schedules.schedules.compose` pieces, so the same curve is also
available as a TF1 op (`step_decay_with_warmup(lr, global_step, ...)`), as
a step function (`..._fn`) and as a Keras schedule (`LRScheduler` is one).

With `N = total_steps` (the snippet's `iterations`), `f = decay_factor` (its
`decay_step`) and `W = N * warm_up`, for integer steps `t`:

* warm-up (step, cosine): `t <= W`: `lr * 0.5 * (1 - cos(pi * t / W))`,
  a half cosine from 0 to `lr`; skipped when `W == 0`.
* step: after the warm-up, `lr`; from `int(0.9 * N)` on `lr * f ** 2`, from
  `int(0.8 * N)` on `lr * f`.
* cosine (warm restarts): after the warm-up, `k = t - (floor(W) + 1)` steps
  into SGDR: `cosine_decay_restarts(lr, initial_cycle_length,
  t_mul=cycle_weight, alpha=f ** 2)(k)`; cycle `i` lasts
  `initial_cycle_length * cycle_weight ** i` steps and runs from `lr` down to
  `lr * f ** 2`.
* onecycle: `Wi = int(N * warm_up)`; `t <= Wi`: the half cosine from 0 to
  `lr` over `Wi`; then `k = t - (Wi + 1)`:
  `lr * ((1 - f ** 2) * 0.5 * (1 + cos(pi * min(k, N - Wi) / (N - Wi)))
  + f ** 2)`, down to `lr * f ** 2` (1% of the peak by default) at step
  `N + 1`, then held.
* constant: `lr`.
"""
import math

import tensorflow as tf  # noqa: F401  (the doctests' `tf`)

from tf1_schedules import _checks as checks
from tf1_schedules.schedules import compose
from tf1_schedules.schedules._define import Call, Schedule
from tf1_schedules.schedules.cosine import COSINE_DECAY, COSINE_DECAY_RESTARTS

__all__ = [
    "constant_learning_rate",
    "constant_learning_rate_fn",
    "step_decay_with_warmup",
    "step_decay_with_warmup_fn",
    "cosine_annealing_warm_restarts",
    "cosine_annealing_warm_restarts_fn",
    "one_cycle",
    "one_cycle_fn",
    "lr_scheduler_fn",
    "POLICIES",
]


def _check_common(call, learning_rate, total_steps, warm_up, decay_factor,
                  name):
    """The arguments every policy shares, named as `call` spells them."""
    fn, arg = call.fn, call.arg
    learning_rate = checks.check_learning_rate(fn, learning_rate,
                                               arg=arg("learning_rate"))
    checks.check_number(fn, arg("learning_rate"), learning_rate, low=0)
    total_steps = checks.check_integer(fn, arg("total_steps"), total_steps,
                                       low=1)
    checks.check_number(fn, "warm_up", warm_up, low=0, high=1)
    checks.check_number(fn, arg("decay_factor"), decay_factor, low=0, high=1)
    checks.check_name(fn, name)
    return learning_rate, total_steps


def _after_cosine_warmup(lr, warmup_steps, boundary, schedule):
    """`join([half cosine 0 -> lr over warmup_steps, schedule],
    [boundary])`."""
    if warmup_steps <= 0:
        return schedule
    up = compose.ramp(0.0, lr, warmup_steps, shape="cosine")
    return compose.join([up, schedule], [boundary])


# -------------------------------------------------------------- constant --

def _constant_learning_rate(call, learning_rate, name=None):
    """A constant learning rate (the `'constant'` policy).

    Args:
      learning_rate: number or float tensor.
      global_step: the step (only its shape matters: a vector of steps gives
        a vector); None means the global step.
      name: name scope and output op; default `Constant`.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.
    """
    learning_rate = checks.check_learning_rate(
        call.fn, learning_rate, arg=call.arg("learning_rate"))
    checks.check_name(call.fn, name)
    return compose.named(compose.constant(learning_rate), name or "Constant")


# ------------------------------------------------------------------ step --

def _step_decay_with_warmup(call, learning_rate, total_steps, warm_up=0.1,
                            decay_factor=0.1, name=None, *, double_step=True):
    """Step decay at 80% and 90% of training after a cosine warm-up.

        lr, W = learning_rate, total_steps * warm_up
        step <= W:                     lr * 0.5 * (1 - cos(pi * step / W))
        step < int(0.8 * total_steps): lr
        step < int(0.9 * total_steps): lr * decay_factor
        otherwise:                     lr * decay_factor ** 2

    With `double_step=False` the second drop is left out (`lr *
    decay_factor` from 80% on), as the snippet's flag of that name does.
    The `LRScheduler` 'step' policy.

    Args:
      learning_rate: number >= 0 or float tensor, the rate after warm-up.
      global_step: the step; None means the global step.
      total_steps: integer >= 1, the planned number of steps.
      warm_up: fraction of `total_steps` in [0, 1] spent warming up.
      decay_factor: number in [0, 1], the factor of each drop.
      name: name scope and output op; default `StepDecayWithWarmup`.
      double_step: keyword-only bool; False: one drop only.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.
    """
    lr, n = _check_common(call, learning_rate, total_steps, warm_up,
                          decay_factor, name)
    double_step = checks.check_flag(call.fn, "double_step", double_step)
    w = n * warm_up
    start = math.floor(w) + 1 if w > 0 else 0
    first, second = int(n * 0.8), int(n * 0.9)
    rates = [lr, lr * decay_factor, lr * decay_factor ** 2.0]
    if not double_step:
        bounds, rates = [first], rates[:2]
    elif first == second:  # tiny N: the later drop wins, as in the snippet
        bounds, rates = [second], [rates[0], rates[2]]
    else:
        bounds = [first, second]
    steps = compose.stepwise([b - start for b in bounds], rates)
    return compose.named(_after_cosine_warmup(lr, w, start, steps),
                         name or "StepDecayWithWarmup")


# ---------------------------------------------------------------- cosine --

def _cosine_annealing_warm_restarts(call, learning_rate, total_steps,
                                    warm_up=0.1, initial_cycle_length=2500,
                                    cycle_weight=2.0, decay_factor=0.1,
                                    name=None):
    """SGDR after a cosine warm-up; cycles grow by `cycle_weight`.

        W = total_steps * warm_up
        k = step - (floor(W) + 1)        # k = step if W == 0
        step <= W: learning_rate * 0.5 * (1 - cos(pi * step / W))
        otherwise: cosine_decay_restarts(learning_rate, k,
                       first_decay_steps=initial_cycle_length,
                       t_mul=cycle_weight, m_mul=1.0, alpha=decay_factor ** 2)

    Cycle `i` lasts `initial_cycle_length * cycle_weight ** i` steps, from
    `learning_rate` down to `learning_rate * decay_factor ** 2`. The
    `LRScheduler` 'cosine' policy.

    Args:
      learning_rate, global_step, total_steps, warm_up, decay_factor, name:
        as in `step_decay_with_warmup` (default scope
        `CosineAnnealingWarmRestarts`).
      initial_cycle_length: integer >= 1, the first cycle's length.
      cycle_weight: number > 0, the growth of each cycle's length.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.

    Differences from the snippet: it truncated each new cycle length to an
    int (`int(length * cycle_weight)`); here lengths are exact geometric
    (the same for integer weights).
    """
    fn = call.fn
    lr, n = _check_common(call, learning_rate, total_steps, warm_up,
                          decay_factor, name)
    cycle = checks.check_integer(fn, "initial_cycle_length",
                                  initial_cycle_length, low=1)
    checks.check_number(fn, "cycle_weight", cycle_weight, low=0,
                        low_inclusive=False)
    w = n * warm_up
    start = math.floor(w) + 1 if w > 0 else 0
    restarts = COSINE_DECAY_RESTARTS.make(
        fn, lr, cycle, t_mul=cycle_weight, m_mul=1.0,
        alpha=decay_factor ** 2.0)
    return compose.named(_after_cosine_warmup(lr, w, start, restarts),
                         name or "CosineAnnealingWarmRestarts")


# ------------------------------------------------------------- one cycle --

def _one_cycle(call, learning_rate, total_steps, warm_up=0.1,
               decay_factor=0.1, name=None):
    """One cycle: a half cosine up to `learning_rate`, one down to 1% of it.

        Wi = int(total_steps * warm_up)
        k = step - (Wi + 1)              # k = step if Wi == 0
        step <= Wi: learning_rate * 0.5 * (1 - cos(pi * step / Wi))
        otherwise:  cosine_decay(learning_rate, k, total_steps - Wi,
                                 alpha=decay_factor ** 2)

    The curve rises from 0 to `learning_rate`, then falls to
    `learning_rate * decay_factor ** 2`, reached at step `total_steps + 1`
    (the snippet's `+ 1`), and stays there.
    The `LRScheduler` 'onecycle' policy.

    Args:
      learning_rate, global_step, total_steps, decay_factor, name: as in
        `step_decay_with_warmup` (default scope `OneCycle`).
      warm_up: fraction of `total_steps` in [0, 1] spent going up; with 1
        (the snippet runs it within `range(total_steps)`) the whole run
        rises, and the fall takes one step after it.

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.

    Differences from the snippet: it does not hold the end value (its
    cosine rises again past `total_steps`); with `warm_up=0` it started one
    step early (k = step - 1); it also cycled the optimizer's momentum by
    setting a Python attribute, which compiled train steps never see: not
    reproduced.
    """
    fn = call.fn
    lr, n = _check_common(call, learning_rate, total_steps, warm_up,
                          decay_factor, name)
    up_steps = int(n * warm_up)
    down = COSINE_DECAY.make(fn, lr, max(n - up_steps, 1),
                             alpha=decay_factor ** 2.0)
    return compose.named(
        _after_cosine_warmup(lr, up_steps, up_steps + 1, down),
        name or "OneCycle")


# ----------------------------------------------------------- LRScheduler --

POLICIES = ("constant", "step", "cosine", "onecycle")


# How `LRScheduler` spells the policies' arguments.
_SCHEDULER_NAMES = {"learning_rate": "lr", "total_steps": "iterations",
                    "decay_factor": "decay_step"}


def _lr_scheduler(call, iterations, lr, policy="step", warm_up=0.1,
                  initial_cycle_length=2500, cycle_weight=2.0,
                  decay_step=0.1, *, double_step=True):
    """The seed's `LRScheduler` (its constructor's arguments) as a schedule.

    `policy` picks `constant_learning_rate`, `step_decay_with_warmup`,
    `cosine_annealing_warm_restarts` or `one_cycle`; `decay_step` is their
    `decay_factor`, `iterations` their `total_steps`; `double_step` (the
    'step' policy's second drop) is the snippet's flag.

    Example:
      >>> f = lr_scheduler_fn(10, 1.0, policy="step", warm_up=0.0)
      >>> [round(float(v), 2) for v in f(tf.constant([0, 7, 8, 9]))]
      [1.0, 1.0, 0.1, 0.01]
    """
    checks.check_choice(call.fn, "policy", policy, POLICIES)
    call = Call(call.fn, call.step_dtype, _SCHEDULER_NAMES)
    if policy == "constant":
        return _constant_learning_rate(call, lr)
    if policy == "step":
        return _step_decay_with_warmup(call, lr, iterations, warm_up,
                                       decay_step, double_step=double_step)
    if policy == "cosine":
        return _cosine_annealing_warm_restarts(
            call, lr, iterations, warm_up, initial_cycle_length,
            cycle_weight, decay_step)
    return _one_cycle(call, lr, iterations, warm_up, decay_step)


CONSTANT_LEARNING_RATE = Schedule(_constant_learning_rate,
                                  "constant_learning_rate",
                                  step_default=None)
STEP_DECAY_WITH_WARMUP = Schedule(_step_decay_with_warmup,
                                  "step_decay_with_warmup")
COSINE_ANNEALING_WARM_RESTARTS = Schedule(_cosine_annealing_warm_restarts,
                                          "cosine_annealing_warm_restarts")
ONE_CYCLE = Schedule(_one_cycle, "one_cycle")
LR_SCHEDULER = Schedule(_lr_scheduler, "lr_scheduler", step_arg=None)

constant_learning_rate = CONSTANT_LEARNING_RATE.tf1
constant_learning_rate_fn = CONSTANT_LEARNING_RATE.fn
step_decay_with_warmup = STEP_DECAY_WITH_WARMUP.tf1
step_decay_with_warmup_fn = STEP_DECAY_WITH_WARMUP.fn
cosine_annealing_warm_restarts = COSINE_ANNEALING_WARM_RESTARTS.tf1
cosine_annealing_warm_restarts_fn = COSINE_ANNEALING_WARM_RESTARTS.fn
one_cycle = ONE_CYCLE.tf1
one_cycle_fn = ONE_CYCLE.fn
lr_scheduler_fn = LR_SCHEDULER.fn
