"""The `LRScheduler` policies' values as plain Python math, bit for bit.

`LRScheduler.update(optimizer, i)` runs once per training iteration; building
TF ops for one scalar each time costs 0.1-5 ms. `PolicyValues` computes the
same float32 (or float64) value with no TF op for integer steps:

    values = PolicyValues(100000, 0.001, policy="cosine")
    values(4321) == float(lr_scheduler_fn(100000, 0.001, "cosine")(4321))

Why it is exact: the policies' ops on a scalar are IEEE `+ - * /` (the same
in NumPy scalars of the same dtype), `floor`, comparisons, `minimum`, casts
(round to nearest), and `cos`, `log` and `pow`, which TF's CPU kernels take
from the C math library for a scalar (`std::cos` etc.; Eigen's own vectorised
versions only run on vectors). So the Python side replays TF's op sequence in
the same dtype and order, with `math.cos`/`math.log`/`math.pow` (float64) and
the C library's `cosf`/`powf` (float32, through `ctypes`; NumPy's float32
`cos` is its own SIMD code, which differs). Tests compare every step of whole
ranges with the TF op.

Safety net: at construction the Python values are compared with the TF op
at ~50 probe steps covering every regime (ramp ends, drops, restarts, the
end of training); on any difference, or where no C math library is found,
or for a tensor learning rate, every value comes from the TF op (through
`compiled`, one call). Steps that are not integers in [0, 2**53) also go to
the TF op.
"""
import bisect
import ctypes
import ctypes.util
import math
import numbers

import numpy as np

from tf1_schedules.schedules import policies
from tf1_schedules.schedules._compiled import compiled

__all__ = ["PolicyValues"]

_MAX_STEP = 2**53  # Python ints below this convert to float64 exactly
_RESTART_NUDGE = 1e-12  # as cosine._restart_index


# ------------------------------------------------------------- libm --

def _load_libm():
    """`(cosf, powf)` from the C math library, or None."""
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        cosf, powf = lib.cosf, lib.powf
    except (OSError, AttributeError):
        return None
    cosf.restype, cosf.argtypes = ctypes.c_float, [ctypes.c_float]
    powf.restype = ctypes.c_float
    powf.argtypes = [ctypes.c_float, ctypes.c_float]
    return cosf, powf


_LIBM = _load_libm()


class _Math:
    """Scalar arithmetic of one dtype: the type, `cos` and `pow`."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.cos = self.pow = None  # float32 without a C math library
        if dtype is np.float64:
            self.cos = lambda x: np.float64(math.cos(x))
            self.pow = lambda x, y: np.float64(math.pow(x, y))
        elif _LIBM is not None:
            cosf, powf = _LIBM
            self.cos = lambda x: np.float32(cosf(x))
            self.pow = lambda x, y: np.float32(powf(x, y))


# ----------------------------------------------------------- pieces --
# Each returns `value(k) -> NumPy scalar` for an int step k >= 0, replaying
# the op order of the TF piece it names.

def _cosine_ramp(m, lr, steps):
    """`compose.ramp(0.0, lr, steps, shape="cosine")`: float64, rounded once."""
    a, b = 0.0, float(lr)
    scale, diff = math.pi / float(steps), b - a
    dtype = m.dtype

    def value(k):
        return dtype(a + diff * (0.5 * (1.0 - math.cos(scale * float(k)))))

    return value


def _stepwise(bounds, rates):
    """`compose.stepwise(bounds, rates)`: a float32 table (widened by join)."""
    table = [np.float32(float(r)) for r in rates]

    def value(k):
        return table[bisect.bisect_right(bounds, k)]

    return value


def _cosine_decay(m, lr, decay_steps, alpha):
    """`cosine_decay(lr, k, decay_steps, alpha)` (python-number alpha)."""
    F = m.dtype
    lr_, d, pi = F(lr), F(decay_steps), F(math.pi)
    half, one = F(0.5), F(1.0)
    keep, floor = F(1 - alpha), F(alpha)
    cos = m.cos

    def value(k):
        s = min(F(k), d)
        decayed = half * (one + cos(pi * (s / d)))
        return lr_ * (keep * decayed + floor)

    return value


def _cosine_restarts(m, lr, first_decay_steps, t_mul, alpha):
    """`cosine_decay_restarts(lr, k, first, t_mul, m_mul=1.0, alpha)`,
    `t_mul >= 1` (a Python number)."""
    F = m.dtype
    lr_, first, floor = F(lr), F(first_decay_steps), F(alpha)
    t, peak_base = F(t_mul), F(1.0)
    one, half0, pi = F(1.0), F(0.5), F(math.pi)
    first64, t64 = float(first), float(t)
    log_t = math.log(t64)
    keep = one - floor
    cos, pow_ = m.cos, m.pow
    periods = {}  # i -> (t ** i, (1 - t ** i) / (1 - t), 0.5 * m ** i)

    def period(i):
        found = periods.get(i)
        if found is None:
            index = F(i)
            grown = pow_(t, index)
            done = (one - grown) / (one - t) if t_mul != 1 else None
            found = (index, grown, done, half0 * pow_(peak_base, index))
            periods[i] = found
        return found

    def value(k):
        f = F(k) / first
        f64 = float(k) / first64
        if t_mul == 1:
            i = math.floor(f64)
        else:
            i = math.floor(math.log(1.0 - f64 * (1.0 - t64)) / log_t
                           + _RESTART_NUDGE)
        index, grown, done, half = period(i)
        if t_mul == 1:
            fraction = f - index
        else:
            fraction = (f - done) / grown
        cosine = half * (one + cos(pi * fraction))
        return lr_ * (keep * cosine + floor)

    return value


def _joined(before, boundary, after):
    """`compose.join([before, after], [boundary])`."""
    def value(k):
        return before(k) if k < boundary else after(k - boundary)

    return value


def _after_cosine_warmup(m, lr, warmup_steps, boundary, schedule):
    """`policies._after_cosine_warmup`."""
    if warmup_steps <= 0:
        return schedule
    return _joined(_cosine_ramp(m, lr, warmup_steps), boundary, schedule)


# --------------------------------------------------------- policies --

def _policy_curve(iterations, lr, policy, warm_up, initial_cycle_length,
                  cycle_weight, decay_step, double_step):
    """`value(k)` for the policy, or None where no exact replay exists."""
    if isinstance(lr, np.float64):
        m = _Math(np.float64)
    elif isinstance(lr, (float, int, np.float32, np.integer)) and not (
            isinstance(lr, (bool, np.bool_))):
        m = _Math(np.float32)
    else:
        return None  # a tensor, float16, ...
    if m.cos is None and policy in ("cosine", "onecycle"):
        return None
    n, w = int(iterations), iterations * warm_up
    if policy == "constant":
        constant = m.dtype(float(lr))
        return lambda k: constant
    if policy == "step":
        start = math.floor(w) + 1 if w > 0 else 0
        first, second = int(n * 0.8), int(n * 0.9)
        rates = [lr, lr * decay_step, lr * decay_step ** 2.0]
        if not double_step:
            bounds, rates = [first], rates[:2]
        elif first == second:
            bounds, rates = [second], [rates[0], rates[2]]
        else:
            bounds = [first, second]
        steps = _stepwise([b - start for b in bounds], rates)
        return _after_cosine_warmup(m, lr, w, start, steps)
    if policy == "cosine":
        if not isinstance(cycle_weight, numbers.Real) or cycle_weight < 1:
            return None
        start = math.floor(w) + 1 if w > 0 else 0
        restarts = _cosine_restarts(m, lr, initial_cycle_length,
                                    cycle_weight, decay_step ** 2.0)
        return _after_cosine_warmup(m, lr, w, start, restarts)
    up = int(n * warm_up)
    down = _cosine_decay(m, lr, n - up, decay_step ** 2.0)
    return _after_cosine_warmup(m, lr, up, up + 1, down)


def _probe_steps(iterations, warm_up, initial_cycle_length, cycle_weight):
    """Steps covering every regime of every policy (and a spread)."""
    n = int(iterations)
    w = n * warm_up
    marks = {0, 1, 2, int(w), math.floor(w) + 1, int(n * 0.8),
             int(n * 0.9), n - 1, n, n + 1, n + 2}
    length, start = float(initial_cycle_length), math.floor(w) + 1
    for _ in range(8):
        marks.add(start + int(length))
        if not isinstance(cycle_weight, numbers.Real) or cycle_weight <= 1:
            break
        start += int(length)
        length *= cycle_weight
    steps = set()
    for mark in marks:
        steps.update(s for s in (mark - 1, mark, mark + 1) if s >= 0)
    steps.update(int(x) for x in np.linspace(0, 1.2 * n + 3, 17))
    return sorted(s for s in steps if s < _MAX_STEP)


class PolicyValues:
    """`values(step)`: the `LRScheduler` learning rate at `step`, a float.

    The same value as `float(lr_scheduler_fn(...)(step))`, bit for bit; for
    Python or NumPy integer steps in [0, 2**53) without any TF op (see the
    module docstring), otherwise one compiled TF call.

    Args:
      iterations, lr, policy, warm_up, initial_cycle_length, cycle_weight,
      decay_step, double_step: as `LRScheduler` (validated by
        `lr_scheduler_fn`; `double_step` is keyword-only).
      schedule: keyword-only; the policy's step function when the caller
        already built it (errors then name the caller); default
        `policies.lr_scheduler_fn(...)`.

    Attributes:
      exact: True when the Python path is on (it passed its probes).

    Example:
      >>> values = PolicyValues(1000, 0.001, policy="step")
      >>> values(500), values(850), values(950)
      (0.0010000000474974513, 9.999999747378752e-05, 9.999999747378752e-06)
    """

    def __init__(self, iterations, lr, policy="step", warm_up=0.1,
                 initial_cycle_length=2500, cycle_weight=2.0,
                 decay_step=0.1, *, double_step=True, schedule=None):
        if schedule is None:
            schedule = policies.lr_scheduler_fn(
                iterations, lr, policy, warm_up, initial_cycle_length,
                cycle_weight, decay_step, double_step=double_step)
        self._tf = compiled(schedule)
        curve = _policy_curve(iterations, lr, policy, warm_up,
                              initial_cycle_length, cycle_weight, decay_step,
                              double_step)
        if curve is not None:
            probes = _probe_steps(iterations, warm_up, initial_cycle_length,
                                  cycle_weight)
            if any(float(curve(k)) != self._tf_value(k) for k in probes):
                curve = None
        self._curve = curve
        self.exact = curve is not None

    def _tf_value(self, step):
        return float(self._tf(step))

    def __call__(self, step):
        curve = self._curve
        if (curve is not None and type(step) is int
                and 0 <= step < _MAX_STEP):
            return float(curve(step))
        if (curve is not None and isinstance(step, np.integer)
                and 0 <= step < _MAX_STEP):
            return float(curve(int(step)))
        return self._tf_value(step)

    def __repr__(self):
        return f"<PolicyValues exact={self.exact}>"
