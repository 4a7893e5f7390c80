"""Object Detection API warmup / burn-in schedules.

Drop-in replacements for `object_detection.utils.learning_schedules`
(`exponential_decay_with_burnin`, `exponential_decay_with_warmup`,
`cosine_decay_with_warmup`, `manual_stepping`, also known as
`piecewise_with_warmup`): same positional signatures (global step first),
same values and error messages; a Tensor whose op is named `learning_rate`
in graph mode, a zero-argument callable in eager mode.

Each is built from `compose` pieces over the package's decays; the
step-function form is the same name with `_fn` and no `global_step`.

Differences from OD (all deliberate, see docs):
  * warmup is closed form: graph size and cost do not depend on its length
    (OD builds one constant and one comparison per warmup step);
  * NumPy integers and floats are accepted as boundaries and rates;
  * a 1-D vector of steps gives the vector of rates;
  * arguments are validated when the schedule is created, in eager mode too;
  * no int32 cast of the step (OD's overflow past 2**31 steps);
  * `exponential_decay_with_warmup(warmup_steps=0)` means no warmup (OD:
    ZeroDivisionError); `cosine_decay_with_warmup` raises when
    `total_steps <= warmup_steps + hold_base_rate_steps` (OD: NaN);
  * `cosine_decay_with_warmup` takes keyword-only `alpha` and the alias
    `total_decay_steps=`.
"""
import math
import numbers

import numpy as np
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules.schedules import compose
from tf1_schedules.schedules._define import Schedule, as_step
from tf1_schedules.schedules.decay import EXPONENTIAL_DECAY

__all__ = [
    "exponential_decay_with_burnin",
    "exponential_decay_with_burnin_fn",
    "exponential_decay_with_warmup",
    "exponential_decay_with_warmup_fn",
    "cosine_decay_with_warmup",
    "cosine_decay_with_warmup_fn",
    "piecewise_with_warmup",
    "piecewise_with_warmup_fn",
    "manual_stepping",
    "manual_stepping_fn",
]

# OD's messages, kept verbatim: configs and tests grep for them.
_BASE_BELOW_WARMUP = ("learning_rate_base must be larger or equal to "
                      "warmup_learning_rate.")
_TOTAL_BELOW_WARMUP = "total_steps must be larger or equal to warmup_steps."


def _at_least(schedule, minimum):
    """`max(schedule(step), minimum)`."""
    def clipped(step):
        value = schedule(step)
        return tf.maximum(value, tf.cast(minimum, value.dtype))

    return clipped


def _rate(fn, arg, value):
    """A rate: a real number or float tensor; ints become floats."""
    return checks.check_learning_rate(fn, value, arg=arg)


def _exponential_parts(fn, learning_rate_base, learning_rate_decay_steps,
                       learning_rate_decay_factor, min_learning_rate,
                       staircase):
    """Validated exponential decay of the burn-in/warmup schedules."""
    base = _rate(fn, "learning_rate_base", learning_rate_base)
    checks.check_number(fn, "learning_rate_decay_steps",
                        learning_rate_decay_steps, low=0, low_inclusive=False)
    checks.check_number(fn, "learning_rate_decay_factor",
                        learning_rate_decay_factor, low=0,
                        low_inclusive=False)
    checks.check_number(fn, "min_learning_rate", min_learning_rate)
    staircase = checks.check_flag(fn, "staircase", staircase)
    decayed = EXPONENTIAL_DECAY.make(
        fn, base, learning_rate_decay_steps, learning_rate_decay_factor,
        staircase=staircase)
    return base, decayed


# ---------------------------------------------------------------- burn-in --

def _exponential_decay_with_burnin(call, learning_rate_base,
                                   learning_rate_decay_steps,
                                   learning_rate_decay_factor,
                                   burnin_learning_rate=0.0, burnin_steps=0,
                                   min_learning_rate=0.0, staircase=True):
    """Exponential decay after a constant burn-in period (OD).

        base, factor = learning_rate_base, learning_rate_decay_factor
        p = (step - burnin_steps) / learning_rate_decay_steps
        step < burnin_steps:  burnin_learning_rate
        otherwise:            base * factor ** p
        result = max(that, min_learning_rate)

    The exponent is floored with `staircase=True` (the default). The decay
    starts counting at the end of the burn-in, as in current OD.

    Args:
      global_step: the step (number, Tensor, Variable or 1-D vector); None
        means `tf.compat.v1.train.get_or_create_global_step()`.
      learning_rate_base: number or float tensor; its dtype is the result's.
      learning_rate_decay_steps: number > 0.
      learning_rate_decay_factor: number > 0.
      burnin_learning_rate: number; 0 (the default) means
        `learning_rate_base`, as in OD.
      burnin_steps: integer >= 0.
      min_learning_rate: number, the floor (burn-in included).
      staircase: bool.

    Returns:
      Graph mode: a Tensor named `learning_rate`. Eager mode: a zero-argument
      callable.

    Raises:
      TypeError, ValueError: for invalid arguments, when called.
    """
    fn = call.fn
    base, decayed = _exponential_parts(
        fn, learning_rate_base, learning_rate_decay_steps,
        learning_rate_decay_factor, min_learning_rate, staircase)
    burnin = _rate(fn, "burnin_learning_rate", burnin_learning_rate)
    burnin_steps = checks.check_integer(fn, "burnin_steps", burnin_steps)
    if checks.static_number(burnin) == 0:
        burnin = base  # OD: a zero burn-in rate means "use the base rate"
    dtype = checks.static_dtype(base)
    schedule = compose.join([compose.constant(burnin, dtype), decayed],
                            [burnin_steps])
    return compose.named(_at_least(schedule, min_learning_rate),
                         "ExponentialDecayWithBurnin", output="learning_rate")


# ----------------------------------------------------------------- warmup --

def _check_warmup(fn, base, warmup_learning_rate, warmup_steps):
    warmup_learning_rate = _rate(fn, "warmup_learning_rate",
                                 warmup_learning_rate)
    warmup_steps = checks.check_integer(fn, "warmup_steps", warmup_steps)
    known_base = checks.static_number(base)
    known_warm = checks.static_number(warmup_learning_rate)
    if (warmup_steps > 0 and known_base is not None and known_warm is not None
            and known_base < known_warm):
        raise ValueError(_BASE_BELOW_WARMUP)
    return warmup_learning_rate, warmup_steps


def _exponential_decay_with_warmup(call, learning_rate_base,
                                   learning_rate_decay_steps,
                                   learning_rate_decay_factor,
                                   warmup_learning_rate=0.0, warmup_steps=0,
                                   min_learning_rate=0.0, staircase=True):
    """Linear warmup, then exponential decay (OD).

        base, factor = learning_rate_base, learning_rate_decay_factor
        p = (step - warmup_steps) / learning_rate_decay_steps
        step < warmup_steps: warmup_learning_rate
                             + (base - warmup_learning_rate) / warmup_steps * step
        otherwise:           max(base * factor ** p, min_learning_rate)

    The exponent is floored with `staircase=True`; the minimum is not applied
    during warmup (as in OD).

    Args:
      global_step: the step; None means the global step.
      learning_rate_base, learning_rate_decay_steps,
      learning_rate_decay_factor, min_learning_rate, staircase: as in
        `exponential_decay_with_burnin`.
      warmup_learning_rate: number <= `learning_rate_base` (when warming up).
      warmup_steps: integer >= 0; 0 means no warmup (OD divides by zero).

    Returns:
      Graph mode: a Tensor named `learning_rate`. Eager mode: a zero-argument
      callable.

    Raises:
      ValueError: `learning_rate_base must be larger or equal to
        warmup_learning_rate.` (OD's message), and for invalid arguments.
    """
    fn = call.fn
    base, decayed = _exponential_parts(
        fn, learning_rate_base, learning_rate_decay_steps,
        learning_rate_decay_factor, min_learning_rate, staircase)
    warm, warmup_steps = _check_warmup(fn, base, warmup_learning_rate,
                                       warmup_steps)
    schedule = compose.with_warmup(_at_least(decayed, min_learning_rate),
                              warmup_steps, warm, peak=base)
    return compose.named(schedule, "ExponentialDecayWithWarmup",
                         output="learning_rate")


def _total_steps(fn, total_steps, total_decay_steps):
    """`total_steps`, or its alias `total_decay_steps` (not both)."""
    if total_steps is not None and total_decay_steps is not None:
        raise TypeError(
            f"{fn}: pass `total_steps` or its alias `total_decay_steps`, not "
            f"both. Received: total_steps={total_steps!r}, "
            f"total_decay_steps={total_decay_steps!r}.")
    if total_steps is None and total_decay_steps is None:
        raise TypeError(f"{fn}: missing required argument `total_steps` "
                        "(or its alias `total_decay_steps`).")
    arg = "total_steps" if total_steps is not None else "total_decay_steps"
    value = total_steps if total_steps is not None else total_decay_steps
    return checks.check_integer(fn, arg, value)


def _od_cosine_fn(base, decay_steps, alpha):
    """OD's decay phase, rounded as OD rounds it, then raised to `alpha`.

        od = 0.5 * base * (1 + cos(pi * min(s, decay_steps) / decay_steps))
        lr = od                                   if alpha == 0 (OD bit for bit)
             alpha * base + (1 - alpha) * od      otherwise

    (`cosine_decay` rounds `pi * (s / d)`, OD `(pi * s) / d`: up to 2 ulps
    apart, so OD's phase is written out here rather than reused.)
    """
    def f(step):
        step = as_step(step)
        base_t = tf.convert_to_tensor(base)
        dtype = base_t.dtype
        d = tf.constant(decay_steps, dtype)
        s = tf.minimum(tf.cast(step, dtype), d)
        od = (0.5 * base_t) * (1.0 + tf.cos(np.pi * s / d))
        if not alpha:
            return od
        return alpha * base_t + (1.0 - alpha) * od

    return f


def _cosine_decay_with_warmup(call, learning_rate_base, total_steps=None,
                              warmup_learning_rate=0.0, warmup_steps=0,
                              hold_base_rate_steps=0, *, alpha=0.0,
                              total_decay_steps=None):
    """Linear warmup, an optional hold, then cosine decay (OD).

        w, h, T = warmup_steps, hold_base_rate_steps, total_steps
        step < w:          warmup_learning_rate + (learning_rate_base
                           - warmup_learning_rate) / w * step
        w <= step < w + h: learning_rate_base
        otherwise:         cosine_decay(learning_rate_base, T - w - h,
                                        alpha)(step - w - h)
                         = learning_rate_base * ((1 - alpha) * 0.5
                           * (1 + cos(pi * min(step - w - h, T - w - h)
                                      / (T - w - h))) + alpha)

    The curve reaches `alpha * learning_rate_base` at `T` and stays there;
    `alpha=0` (the default) is OD's schedule, which ends at 0.

    Args:
      global_step: the step; None means the global step.
      learning_rate_base: number or float tensor.
      total_steps: integer > warmup_steps + hold_base_rate_steps.
      warmup_learning_rate: number <= learning_rate_base (when warming up).
      warmup_steps, hold_base_rate_steps: integers >= 0.
      alpha: keyword-only number, the final rate as a fraction of
        `learning_rate_base`.
      total_decay_steps: keyword-only alias of `total_steps` (the name a
        popular copy of this function uses); pass one of the two.

    Returns:
      Graph mode: a Tensor named `learning_rate`. Eager mode: a zero-argument
      callable.

    Raises:
      ValueError: OD's `total_steps must be larger or equal to warmup_steps.`
        and `learning_rate_base must be larger or equal to
        warmup_learning_rate.`; `total_steps <= warmup_steps +
        hold_base_rate_steps` (OD: NaN); invalid arguments.
      TypeError: both or neither of `total_steps` / `total_decay_steps`.

    Differences from OD: none in value with `alpha=0` (the decay phase is
    OD's own expression, bit for bit; the warmup line equals OD's per-step
    float32 table). The warmup is closed form (OD builds one comparison per
    warmup step).
    The copy with `total_decay_steps` returned the raw `alpha` after the
    end (discontinuous); here the end value is `alpha * learning_rate_base`.
    """
    fn = call.fn
    total = _total_steps(fn, total_steps, total_decay_steps)
    base = _rate(fn, "learning_rate_base", learning_rate_base)
    warmup_steps = checks.check_integer(fn, "warmup_steps", warmup_steps)
    hold = checks.check_integer(fn, "hold_base_rate_steps",
                              hold_base_rate_steps)
    checks.check_number(fn, "alpha", alpha)
    if total < warmup_steps:
        raise ValueError(_TOTAL_BELOW_WARMUP)
    warm, warmup_steps = _check_warmup(fn, base, warmup_learning_rate,
                                       warmup_steps)
    if total <= warmup_steps + hold:
        checks.fail(fn, "total_steps", "> warmup_steps + hold_base_rate_steps"
                    f" = {warmup_steps + hold} (no step left to decay)", total)
    dtype = checks.static_dtype(base)
    decayed = _od_cosine_fn(base, total - warmup_steps - hold, alpha)
    if hold:
        decayed = compose.join([compose.constant(base, dtype), decayed],
                               [hold])
    schedule = compose.with_warmup(decayed, warmup_steps, warm, peak=base)
    return compose.named(schedule, "CosineDecayWithWarmup",
                         output="learning_rate")


# ------------------------------------------------------- manual stepping --

def _is_int(value):
    return (isinstance(value, (numbers.Integral, np.integer))
            and not isinstance(value, (bool, np.bool_)))


def _is_rate(value):
    return (isinstance(value, (numbers.Real, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)))


def _check_manual(fn, boundaries, rates, warmup):
    """OD's checks, messages and order; NumPy numbers and int rates pass."""
    boundaries = checks.check_sequence(fn, "boundaries", boundaries,
                                       "a list of integers")
    rates = checks.check_sequence(fn, "rates", rates, "a list of numbers")
    for b in boundaries:
        if isinstance(b, (bool, np.bool_)):
            checks.fail(fn, "boundaries", "integers, not bools", boundaries,
                        TypeError)
    if any(not _is_int(b) or b < 0 for b in boundaries):
        raise ValueError("boundaries must be a list of positive integers")
    if any(b > checks.MAX_STEP for b in boundaries):
        checks.fail(fn, "boundaries", "int64 steps (<= 2**63 - 1)",
                    boundaries)
    if any(c <= b for b, c in zip(boundaries, boundaries[1:])):
        raise ValueError("Entries in boundaries must be strictly increasing.")
    if any(not _is_rate(r) for r in rates):
        raise ValueError("Learning rates must be floats")
    if len(rates) != len(boundaries) + 1:
        raise ValueError("Number of provided learning rates must exceed "
                         "number of boundary points by exactly 1.")
    if not all(math.isfinite(r) and r >= 0 for r in rates):
        checks.fail(fn, "rates", "finite numbers >= 0", rates)
    if boundaries and boundaries[0] == 0:
        raise ValueError("First step cannot be zero.")
    warmup = checks.check_flag(fn, "warmup", warmup)
    return [int(b) for b in boundaries], [float(r) for r in rates], warmup


def _od_steps(schedule):
    """`schedule(max(floor(step), 0))`: OD gives `rates[0]` below step 0 and
    compares float steps with integer boundaries (so floors them)."""
    def clamped(step):
        step = as_step(step)
        if step.dtype.is_floating:
            step = tf.floor(step)
        return schedule(tf.maximum(step, tf.constant(0, step.dtype)))

    return clamped


def _piecewise_with_warmup(call, boundaries, rates, warmup=False):
    """Manually stepped rates, optionally with a linear warmup (OD).

        rates[i] from step boundaries[i-1] on (the switch is *at* the
        boundary, one step earlier than `piecewise_constant`):
        result = rates[count(b <= step for b in boundaries)]

    With `warmup=True` the first interval is a line from `rates[0]` at step 0
    to `rates[1]` at `boundaries[0]`, equal to OD's per-step table
    `float32(rates[0] + slope * step)` bit for bit, in closed form. Steps
    below 0 give `rates[0]`; float steps are floored (as OD's comparisons
    do). The result is float32.

    Args:
      global_step: the step; None means the global step.
      boundaries: strictly increasing non-negative integers, the first > 0
        (Python or NumPy).
      rates: `len(boundaries) + 1` numbers (ints and NumPy floats accepted).
      warmup: bool.

    Returns:
      Graph mode: a Tensor named `learning_rate`. Eager mode: a zero-argument
      callable.

    Raises:
      ValueError: OD's messages, in OD's order: `boundaries must be a list of
        positive integers`, `Entries in boundaries must be strictly
        increasing.`, `Learning rates must be floats`, `Number of provided
        learning rates must exceed number of boundary points by exactly 1.`,
        `First step cannot be zero.`
      TypeError: bool boundaries; `boundaries` or `rates` not a list.
    """
    fn = call.fn
    boundaries, rates, warmup = _check_manual(fn, boundaries, rates, warmup)
    if not (warmup and boundaries):  # OD ignores warmup without boundaries
        schedule = compose.stepwise(boundaries, rates)
    else:
        first = boundaries[0]
        after = compose.stepwise([b - first for b in boundaries[1:]],
                                 rates[1:])
        schedule = compose.join(
            [compose.ramp(rates[0], rates[1], first), after], [first])
    return compose.named(_od_steps(schedule), "ManualStepping",
                         output="learning_rate")


_OD = dict(step_position=0)  # OD's functions take the step first
EXPONENTIAL_DECAY_WITH_BURNIN = Schedule(
    _exponential_decay_with_burnin, "exponential_decay_with_burnin", **_OD)
EXPONENTIAL_DECAY_WITH_WARMUP = Schedule(
    _exponential_decay_with_warmup, "exponential_decay_with_warmup", **_OD)
COSINE_DECAY_WITH_WARMUP = Schedule(
    _cosine_decay_with_warmup, "cosine_decay_with_warmup", **_OD)
PIECEWISE_WITH_WARMUP = Schedule(
    _piecewise_with_warmup, "piecewise_with_warmup", **_OD)

exponential_decay_with_burnin = EXPONENTIAL_DECAY_WITH_BURNIN.tf1
exponential_decay_with_burnin_fn = EXPONENTIAL_DECAY_WITH_BURNIN.fn
exponential_decay_with_warmup = EXPONENTIAL_DECAY_WITH_WARMUP.tf1
exponential_decay_with_warmup_fn = EXPONENTIAL_DECAY_WITH_WARMUP.fn
cosine_decay_with_warmup = COSINE_DECAY_WITH_WARMUP.tf1
cosine_decay_with_warmup_fn = COSINE_DECAY_WITH_WARMUP.fn
piecewise_with_warmup = PIECEWISE_WITH_WARMUP.tf1
piecewise_with_warmup_fn = PIECEWISE_WITH_WARMUP.fn
# OD's own name: the same definition, its errors naming `manual_stepping`.
MANUAL_STEPPING = Schedule(_piecewise_with_warmup, "manual_stepping", **_OD)
manual_stepping = MANUAL_STEPPING.tf1
manual_stepping_fn = MANUAL_STEPPING.fn
