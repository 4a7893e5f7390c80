"""Independent NumPy references for the warmup, OD, BERT and policy schedules.

Written from the upstream definitions (REFERENCE.md §3, §4.1, the seed's
`LRScheduler`), step by step and in float64 unless stated, never from the
library's composition: OD's manual stepping is rebuilt as its per-step table,
and the policies as the snippet's stateful once-per-iteration loop.
"""
import math

import numpy as np


def _steps(steps):
    return np.asarray(steps, dtype=np.float64)


def burnin(steps, base, decay_steps, factor, burnin_lr=0.0, burnin_steps=0,
           min_lr=0.0, staircase=True):
    s = _steps(steps)
    burnin_lr = base if burnin_lr == 0 else burnin_lr
    p = (s - burnin_steps) / decay_steps
    post = base * factor ** (np.floor(p) if staircase else p)
    return np.maximum(np.where(s < burnin_steps, burnin_lr, post), min_lr)


def exp_warmup(steps, base, decay_steps, factor, warmup_lr=0.0,
               warmup_steps=0, min_lr=0.0, staircase=True):
    s = _steps(steps)
    p = (s - warmup_steps) / decay_steps
    post = np.maximum(base * factor ** (np.floor(p) if staircase else p),
                      min_lr)
    if warmup_steps == 0:
        return post
    warm = (base - warmup_lr) / warmup_steps * s + warmup_lr
    return np.where(s < warmup_steps, warm, post)


def cosine_warmup(steps, base, total, warmup_lr=0.0, warmup_steps=0, hold=0,
                  alpha=0.0):
    """OD's four `where`s, plus alpha as a fraction of base (O9)."""
    s = _steps(steps)
    span = total - warmup_steps - hold
    lr = 0.5 * base * (1 + np.cos(np.pi * (s - warmup_steps - hold) / span))
    lr = alpha * base + (1 - alpha) * lr
    if hold > 0:
        lr = np.where(s > warmup_steps + hold, lr, base)
    if warmup_steps > 0:
        slope = (base - warmup_lr) / warmup_steps
        lr = np.where(s < warmup_steps, slope * s + warmup_lr, lr)
    return np.where(s > total, alpha * base, lr)


def manual_stepping_table(boundaries, rates, warmup=False):
    """OD's expansion: (boundaries, float32 rates) with one entry per step."""
    boundaries, rates = list(boundaries), list(rates)
    if warmup and boundaries:
        slope = (rates[1] - rates[0]) * 1.0 / boundaries[0]
        head = list(range(boundaries[0]))
        return (head + boundaries,
                np.array([rates[0] + slope * i for i in head] + rates[1:],
                         np.float32))
    return [0] + boundaries, np.array(rates, np.float32)


def manual_stepping(steps, boundaries, rates, warmup=False):
    """OD: `rates[max i such that step >= table_boundaries[i]]` (0 if none)."""
    table_bounds, table_rates = manual_stepping_table(boundaries, rates,
                                                      warmup)
    steps = np.asarray(steps)
    out = []
    for step in steps.reshape(-1):
        index = 0
        for i, b in enumerate(table_bounds):
            if step >= b:
                index = i
        out.append(table_rates[index])
    return np.array(out, np.float32).reshape(steps.shape)


def bert(steps, init_lr, num_train_steps, num_warmup_steps, continuous=False,
         end_lr=0.0, power=1.0):
    s = _steps(steps)
    w = num_warmup_steps
    if continuous and w:
        n, t = num_train_steps - w, np.minimum(s - w, num_train_steps - w)
    else:
        n, t = num_train_steps, np.minimum(s, num_train_steps)
    decayed = (init_lr - end_lr) * (1 - t / n) ** power + end_lr
    if not w:
        return decayed
    return np.where(s < w, init_lr * s / w, decayed)


def join(steps, parts, boundaries):
    """Part i (a NumPy function of the step) from boundaries[i-1], shifted."""
    s = _steps(steps)
    out = parts[0](s)
    for b, part in zip(boundaries, parts[1:]):
        out = np.where(s < b, out, part(s - b))
    return out


class SnippetScheduler:
    """The seed's `LRScheduler` as a stateful loop: call `value(i)` for
    i = 0, 1, 2, ... in order (the cosine policy counts its own calls)."""

    def __init__(self, iterations, lr, policy, warm_up=0.1,
                 initial_cycle_length=2500, cycle_weight=2, decay_step=0.1):
        self.n, self.lr, self.policy = iterations, lr, policy
        self.warm_up, self.decay = warm_up, decay_step
        self.cycle_length, self.cycle_weight = initial_cycle_length, cycle_weight
        self.cycle_step = 0
        self.min_lr = lr * decay_step ** 2.0

    def _half_cosine_up(self, i, length):
        return (np.cos(i * np.pi / length + np.pi) + 1.0) * 0.5 * self.lr

    def value(self, i):
        if self.policy == "constant":
            return self.lr
        if self.policy == "onecycle":
            return self._one_cycle(i)
        w = self.n * self.warm_up
        if w > 0 and i <= w:
            return self._half_cosine_up(i, w)
        if self.policy == "step":
            if i >= int(self.n * 0.9):
                return self.lr * self.decay ** 2.0
            if i >= int(self.n * 0.8):
                return self.lr * self.decay
            return self.lr
        return self._cosine_restart()

    def _cosine_restart(self):
        if self.cycle_step and self.cycle_step % self.cycle_length == 0:
            self.cycle_step = 0
            self.cycle_length = int(self.cycle_length * self.cycle_weight)
        k, length = self.cycle_step, self.cycle_length
        self.cycle_step += 1
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (
            1.0 + math.cos(math.pi * (k % length) / length))

    def _one_cycle(self, i):
        w = int(self.n * self.warm_up)
        if w > 0 and i <= w:
            return self._half_cosine_up(i, w)
        k, span = i - (w + 1), self.n - w
        return self.min_lr + (self.lr - self.min_lr) * 0.5 * (
            1.0 + np.cos(k * np.pi / span))

    def values(self, count):
        return np.array([self.value(i) for i in range(count)])
