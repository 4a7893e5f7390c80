"""Benchmark: eager per-call cost of the package's schedules (issue 12).

Three tables, each measured in one process in interleaved rounds (every
contender once per round, in a shuffled order); a cell is the median over
rounds of the per-round median of single-call times.

1. Zero-argument callables (what `tf1_schedules.<decay>(..., step)` returns
   in eager mode, following a `tf.Variable` step) against TF's own
   `tf.compat.v1.train.<decay>` callable, or Keras 3's nearest schedule
   called on the same step where TF has none. "op by op" is the callable's
   own `build(step)`: the cost before issue 12.
2. `LRScheduler.update(optimizer, i)` per policy against the seed's original
   update rule (rebuilt here from the seed's published behaviour: plain
   Python math, then one assignment to `optimizer.learning_rate`) and
   against a bare assignment of a Python float to the same optimizer.
3. Keras schedule classes called eagerly on `optimizer.iterations` against
   Keras 3's own class.

Before the compiled / fast paths are wired into the public objects, "ours"
is built from the pieces (`compiled(callable.build)`, `PolicyValues` plus
the assignment `update` makes); once wired, the public objects themselves
are measured. The header says which.

    python scripts/bench_eager.py [--rounds 9] [--calls 200] [--updates 1000]
        [--update-rounds 15] [--only callables|update|keras]

Prints Markdown tables (pasted into BENCHMARKS.md).
"""
import argparse
import itertools
import math
import os
import random
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf1_schedules import keras_schedules  # noqa: E402
from tf1_schedules.schedules import registry  # noqa: E402
from tf1_schedules.schedules._compiled import Compiled, compiled  # noqa: E402
from tf1_schedules.schedules.fast import PolicyValues  # noqa: E402

V1 = tf.compat.v1.train
KS = keras.optimizers.schedules
STEP = 1234  # the variable step's value while callables are timed

# label -> (registry name, params, TF v1 callable factory or None,
#           Keras 3 nearest schedule factory or None)
_EXP = dict(learning_rate=0.1, decay_steps=1000, decay_rate=0.96)
CALLABLES = {
    "exponential_decay": ("exponential_decay", _EXP,
                          lambda s: V1.exponential_decay(0.1, s, 1000, 0.96),
                          None),
    "exponential staircase": (
        "exponential_decay", dict(_EXP, staircase=True),
        lambda s: V1.exponential_decay(0.1, s, 1000, 0.96, staircase=True),
        None),
    "natural_exp_decay": (
        "natural_exp_decay", dict(_EXP, decay_rate=0.5),
        lambda s: V1.natural_exp_decay(0.1, s, 1000, 0.5), None),
    "inverse_time_decay": (
        "inverse_time_decay", dict(_EXP, decay_rate=0.5),
        lambda s: V1.inverse_time_decay(0.1, s, 1000, 0.5), None),
    "polynomial_decay": (
        "polynomial_decay", dict(learning_rate=0.1, decay_steps=10000,
                                 end_learning_rate=0.001),
        lambda s: V1.polynomial_decay(0.1, s, 10000, 0.001), None),
    "piecewise_constant": (
        "piecewise_constant", dict(boundaries=[1000, 2000],
                                   values=[0.1, 0.01, 0.001]),
        lambda s: V1.piecewise_constant(s, [1000, 2000], [0.1, 0.01, 0.001]),
        None),
    "cosine_decay": ("cosine_decay", dict(learning_rate=0.1,
                                          decay_steps=10000),
                     lambda s: V1.cosine_decay(0.1, s, 10000), None),
    "cosine_decay_restarts": (
        "cosine_decay_restarts", dict(learning_rate=0.1,
                                      first_decay_steps=1000),
        lambda s: V1.cosine_decay_restarts(0.1, s, 1000), None),
    "linear_cosine_decay": (
        "linear_cosine_decay", dict(learning_rate=0.1, decay_steps=10000),
        lambda s: V1.linear_cosine_decay(0.1, s, 10000), None),
    "noisy_linear_cosine_decay": (
        "noisy_linear_cosine_decay", dict(learning_rate=0.1,
                                          decay_steps=10000),
        lambda s: V1.noisy_linear_cosine_decay(0.1, s, 10000), None),
    # No TF callable: Keras 3's nearest schedule, called on the step.
    "exponential_decay_with_burnin": (
        "exponential_decay_with_burnin", dict(
            learning_rate_base=0.01, learning_rate_decay_steps=2000,
            learning_rate_decay_factor=0.98, burnin_learning_rate=0.001,
            burnin_steps=2000), None,
        lambda: KS.ExponentialDecay(0.01, 2000, 0.98, staircase=True)),
    "exponential_decay_with_warmup": (
        "exponential_decay_with_warmup", dict(
            learning_rate_base=0.01, learning_rate_decay_steps=2000,
            learning_rate_decay_factor=0.98, warmup_learning_rate=0.001,
            warmup_steps=2000), None,
        lambda: KS.ExponentialDecay(0.01, 2000, 0.98, staircase=True)),
    "piecewise_with_warmup": (
        "piecewise_with_warmup", dict(boundaries=[2000, 5000, 8000],
                                      rates=[1e-5, 0.01, 0.001, 0.0001],
                                      warmup=True), None,
        lambda: KS.PiecewiseConstantDecay([2000, 5000, 8000],
                                          [1e-5, 0.01, 0.001, 0.0001])),
    "cosine_decay_with_warmup": (
        "cosine_decay_with_warmup", dict(
            learning_rate_base=0.01, total_steps=20000,
            warmup_learning_rate=0.0001, warmup_steps=2000,
            hold_base_rate_steps=2000, alpha=0.001), None,
        lambda: KS.CosineDecay(0.0001, 16000, alpha=0.001,
                               warmup_target=0.01, warmup_steps=2000)),
    "bert_learning_rate": (
        "bert_learning_rate", dict(init_lr=0.01, num_train_steps=20000,
                                   num_warmup_steps=2000), None,
        lambda: KS.PolynomialDecay(0.01, 20000, 0.0)),
    "constant_learning_rate": (
        "constant_learning_rate", dict(learning_rate=0.001), None,
        lambda: KS.PiecewiseConstantDecay([10 ** 9], [0.001, 0.001])),
    "step_decay_with_warmup": (
        "step_decay_with_warmup", dict(learning_rate=0.001,
                                       total_steps=100000), None,
        lambda: KS.CosineDecay(0.0, 90000, warmup_target=0.001,
                               warmup_steps=10000)),
    "cosine_annealing_warm_restarts": (
        "cosine_annealing_warm_restarts", dict(learning_rate=0.001,
                                               total_steps=100000), None,
        lambda: KS.CosineDecayRestarts(0.001, 2500, alpha=0.01)),
    "one_cycle": (
        "one_cycle", dict(learning_rate=0.001, total_steps=100000), None,
        lambda: KS.CosineDecay(0.0, 90000, alpha=0.01, warmup_target=0.001,
                               warmup_steps=10000)),
}

POLICY_N = 100000
POLICY_LR = 0.001

# Keras schedule classes: ours (by registry name) vs Keras 3's own.
KERAS_CLASSES = {
    "ExponentialDecay": (dict(_EXP),
                         lambda: KS.ExponentialDecay(0.1, 1000, 0.96)),
    "PolynomialDecay": (dict(learning_rate=0.1, decay_steps=10000,
                             end_learning_rate=0.001),
                        lambda: KS.PolynomialDecay(0.1, 10000, 0.001)),
    "PiecewiseConstant": (dict(boundaries=[1000, 2000],
                               values=[0.1, 0.01, 0.001]),
                          lambda: KS.PiecewiseConstantDecay(
                              [1000, 2000], [0.1, 0.01, 0.001])),
    "CosineDecay": (dict(learning_rate=0.1, decay_steps=10000),
                    lambda: KS.CosineDecay(0.1, 10000)),
    "CosineDecayRestarts": (dict(learning_rate=0.1, first_decay_steps=1000),
                            lambda: KS.CosineDecayRestarts(0.1, 1000)),
    "CosineDecayWithWarmup": (
        dict(learning_rate_base=0.01, total_steps=20000,
             warmup_learning_rate=0.0001, warmup_steps=2000),
        lambda: KS.CosineDecay(0.0001, 18000, warmup_target=0.01,
                               warmup_steps=2000)),
}


# -------------------------------------------------------------- timing --

def _sample(fn, calls):
    """Median seconds of `calls` single calls of `fn()`."""
    samples = []
    clock = time.perf_counter
    for _ in range(calls):
        start = clock()
        fn()
        samples.append(clock() - start)
    return statistics.median(samples)


def interleaved(contenders, rounds, calls):
    """label -> median over rounds of per-round median call time (us).

    Each round runs every contender once, in a shuffled order."""
    for fn in contenders.values():  # warm-up: traces, caches
        for _ in range(20):
            fn()
    per_round = {label: [] for label in contenders}
    order = list(contenders)
    shuffle = random.Random(12).shuffle
    for _ in range(rounds):
        shuffle(order)  # no contender always runs first (or after another)
        for label in order:
            per_round[label].append(_sample(contenders[label], calls))
    return {label: statistics.median(v) * 1e6
            for label, v in per_round.items()}


def _wired(obj, kind):
    """True when `obj` (or one of its attributes) is a `kind` instance."""
    if isinstance(obj, kind):
        return True
    names = list(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        names += list(getattr(cls, "__slots__", ()))
    return any(isinstance(getattr(obj, n, None), kind) for n in names)


# ---------------------------------------------------------- callables --

def _tf1_callable(name, params, step):
    schedule = registry.get(name)
    return schedule.tf1(**params, **{schedule.step_arg: step})


def bench_callables(rounds, calls, out):
    step = tf.Variable(STEP, dtype=tf.int64)
    wired = None
    rows = []
    for label, (name, params, v1, nearest) in CALLABLES.items():
        ours = _tf1_callable(name, params, step)
        public = _wired(ours, Compiled)
        wired = public if wired is None else (wired and public)
        fast = ours if public else (lambda run=compiled(ours.build): run(step))
        contenders = {"ours": fast, "op by op": lambda o=ours: o.build(step)}
        if v1 is not None:
            contenders["tf"] = v1(step)
            base = "tf.compat.v1.train"
        else:
            keras_schedule = nearest()
            contenders["tf"] = lambda k=keras_schedule: k(step)
            base = "Keras 3 " + type(keras_schedule).__name__
        got = interleaved(contenders, rounds, calls)
        rows.append((label, got["ours"], got["op by op"], got["tf"], base))
        print(f"  {label}: {got}", file=sys.stderr, flush=True)
    how = ("public ScheduleFn (compiled path wired in)" if wired else
           "compiled(ScheduleFn.build) (pieces; not yet wired into "
           "ScheduleFn)")
    print(f"\n### Zero-argument callables, eager, per call (ours: {how})\n",
          file=out)
    print("| schedule | ours (us) | op by op (us) | baseline (us) | "
          "ours / baseline | baseline |", file=out)
    print("|---|---|---|---|---|---|", file=out)
    for label, o, b, t, base in rows:
        print(f"| {label} | {o:.0f} | {b:.0f} | {t:.0f} | **{o / t:.2f}** "
              f"| {base} |", file=out)


# ------------------------------------------------------------- update --

class SeedScheduler:
    """The seed's original `LRScheduler.update`: Python math, one assignment.

    Rebuilt from the seed's published behaviour (README of seed 004: step
    drops at 80% / 90%, cosine warm restarts with doubling cycles, one
    cycle; half-cosine warm-up over `warm_up * iterations`). Its onecycle
    momentum cycling is left out (it would only add to its cost).
    """

    def __init__(self, iterations, lr, policy, warm_up=0.1,
                 initial_cycle_length=2500, cycle_weight=2, decay_step=0.1):
        self.n, self.lr, self.policy = iterations, lr, policy
        self.warm_up, self.decay = warm_up, decay_step
        self.cycle_length, self.cycle_weight = initial_cycle_length, \
            cycle_weight
        self.cycle_step = 0
        self.min_lr = lr * decay_step ** 2

    def _warm(self, i, length):
        return (math.cos(i * math.pi / length + math.pi) + 1.0) * 0.5 * self.lr

    def _value(self, i):
        if self.policy == "constant":
            return self.lr
        if self.policy == "onecycle":
            w = int(self.n * self.warm_up)
            if w > 0 and i <= w:
                return self._warm(i, w)
            k, span = i - (w + 1), self.n - w
            return self.min_lr + (self.lr - self.min_lr) * 0.5 * (
                1.0 + math.cos(k * math.pi / span))
        w = self.n * self.warm_up
        if w > 0 and i <= w:
            return self._warm(i, w)
        if self.policy == "step":
            if i >= int(self.n * 0.9):
                return self.lr * self.decay ** 2
            if i >= int(self.n * 0.8):
                return self.lr * self.decay
            return self.lr
        if self.cycle_step and self.cycle_step % self.cycle_length == 0:
            self.cycle_step = 0
            self.cycle_length = int(self.cycle_length * self.cycle_weight)
        k = self.cycle_step
        self.cycle_step += 1
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (
            1.0 + math.cos(math.pi * k / self.cycle_length))

    def update(self, optimizer, i):
        optimizer.learning_rate = self._value(i)


_STRIDE = 7919  # a prime: successive updates visit every regime of the run


def _stepper(update, optimizer, n):
    """`fn()` calling `update(optimizer, i)`, i = 0, 7919, 15838, ... mod n."""
    state = [0]

    def fn():
        i = state[0]
        state[0] = (i + _STRIDE) % n
        update(optimizer, i)

    return fn


def bench_update(rounds, updates, out):
    optimizer = keras.optimizers.SGD(POLICY_LR)
    # The bare assignment assigns a float never assigned before in this
    # process: TF caches the tensor of a Python scalar it has converted, which
    # saves ~7 us when a value repeats (the constant and step policies'
    # values do; the cosine and onecycle ones are new at every step).
    fresh = itertools.count(1)
    rows, wired = [], None
    for policy in ("constant", "step", "cosine", "onecycle"):
        scheduler = keras_schedules.LRScheduler(POLICY_N, POLICY_LR, policy)
        scheduler.update(optimizer, 0)  # a lazily built fast path exists now
        public = _wired(scheduler, PolicyValues)
        wired = public if wired is None else (wired and public)
        if public:
            ours = scheduler.update
        else:
            values = PolicyValues(POLICY_N, POLICY_LR, policy)
            assign = keras_schedules._set_learning_rate

            def ours(opt, i, values=values, assign=assign):
                value = values(i)
                assign(opt, value)
                return value

        seed = SeedScheduler(POLICY_N, POLICY_LR, policy)

        def bare(opt, i, fresh=fresh):
            opt.learning_rate = POLICY_LR * (1.0 + next(fresh) * 1e-9)

        contenders = {
            "ours": _stepper(ours, optimizer, POLICY_N),
            "seed": _stepper(seed.update, optimizer, POLICY_N),
            "bare": _stepper(bare, optimizer, POLICY_N),
        }
        if not public:
            contenders["public"] = _stepper(scheduler.update, optimizer,
                                            POLICY_N)
        got = interleaved(contenders, rounds, updates)
        rows.append((policy, got))
        print(f"  update {policy}: {got}", file=sys.stderr, flush=True)
    how = ("public LRScheduler.update (fast path wired in)" if wired else
           "PolicyValues + the assignment update makes (pieces; the public "
           "update, not yet wired, in the last column)")
    print(f"\n### LRScheduler.update, Keras 3 SGD, per update "
          f"(ours: {how})\n", file=out)
    extra = "" if wired else " public update now (us) |"
    print("| policy | ours (us) | seed's original (us) | bare assignment, "
          "new float (us) | ours / seed | ours / bare |" + extra, file=out)
    print("|---|---|---|---|---|---|" + ("---|" if extra else ""), file=out)
    for policy, got in rows:
        o, s, b = got["ours"], got["seed"], got["bare"]
        cell = f" {got['public']:.0f} |" if "public" in got else ""
        print(f"| {policy} | {o:.1f} | {s:.1f} | {b:.1f} | **{o / s:.2f}** "
              f"| **{o / b:.2f}** |" + cell, file=out)


# -------------------------------------------------------- Keras classes --

def bench_keras(rounds, calls, out):
    optimizer = keras.optimizers.SGD(0.1)
    optimizer.iterations.assign(STEP)
    step = optimizer.iterations
    rows, wired = [], None
    for name, (params, theirs) in KERAS_CLASSES.items():
        schedule = getattr(keras_schedules, name)(**params)
        public = _wired(schedule, Compiled)
        wired = public if wired is None else (wired and public)
        if public:
            ours = schedule
        else:
            run = compiled(schedule._fn)
            ours = run
        keras_schedule = theirs()
        got = interleaved({"ours": lambda o=ours: o(step),
                           "keras": lambda k=keras_schedule: k(step)},
                          rounds, calls)
        rows.append((name, got, type(keras_schedule).__name__))
        print(f"  keras {name}: {got}", file=sys.stderr, flush=True)
    how = ("public classes (compiled path wired in)" if wired else
           "compiled(schedule._fn) (pieces; not yet wired)")
    print(f"\n### Keras schedule classes called eagerly on "
          f"`optimizer.iterations` (ours: {how})\n", file=out)
    print("| class | ours (us) | Keras 3 (us) | ours / Keras | Keras class |",
          file=out)
    print("|---|---|---|---|---|", file=out)
    for name, got, theirs in rows:
        print(f"| {name} | {got['ours']:.0f} | {got['keras']:.0f} | "
              f"**{got['ours'] / got['keras']:.2f}** | {theirs} |", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--update-rounds", type=int, default=15)
    parser.add_argument("--only", choices=("callables", "update", "keras"),
                        action="append")
    args = parser.parse_args(argv)
    only = set(args.only or ("callables", "update", "keras"))
    out = sys.stdout
    print(f"TF {tf.__version__}, Keras {keras.__version__}, "
          f"{os.cpu_count()} CPUs; {args.rounds} interleaved rounds of "
          f"{args.calls} calls ({args.update_rounds} rounds of "
          f"{args.updates} updates) per contender; medians.", file=out)
    if "callables" in only:
        bench_callables(args.rounds, args.calls, out)
    if "update" in only:
        bench_update(args.update_rounds, args.updates, out)
    if "keras" in only:
        bench_keras(args.rounds, args.calls, out)


if __name__ == "__main__":
    main()
