"""Independent NumPy float64 references for the nine TF1 decays.

Written from the formulas (REFERENCE.md §2), not from the library: integer
steps use exact integer floors and restart indices are found by walking the
period boundaries, so they cannot share a float32 blind spot.
"""
import math

import numpy as np


def _steps(step):
    return np.asarray(step)


def _p(step, decay_steps, staircase):
    step = _steps(step)
    if staircase:
        if np.issubdtype(step.dtype, np.integer) and float(decay_steps).is_integer():
            return (step // int(decay_steps)).astype(np.float64)
        return np.floor(step / decay_steps)
    return step.astype(np.float64) / decay_steps


def exponential_decay(lr, step, decay_steps, decay_rate, staircase=False):
    return lr * decay_rate ** _p(step, decay_steps, staircase)


def natural_exp_decay(lr, step, decay_steps, decay_rate, staircase=False):
    return lr * np.exp(-decay_rate * _p(step, decay_steps, staircase))


def inverse_time_decay(lr, step, decay_steps, decay_rate, staircase=False):
    return lr / (1.0 + decay_rate * _p(step, decay_steps, staircase))


def polynomial_decay(lr, step, decay_steps, end_lr=0.0001, power=1.0,
                     cycle=False):
    step = _steps(step).astype(np.float64)
    if cycle:
        mult = np.where(step == 0, 1.0, np.ceil(step / decay_steps))
        decay_steps = decay_steps * mult
    else:
        step = np.minimum(step, decay_steps)
    return (lr - end_lr) * (1.0 - step / decay_steps) ** power + end_lr


def cosine_decay(lr, step, decay_steps, alpha=0.0):
    step = np.minimum(_steps(step).astype(np.float64), decay_steps)
    cosine = 0.5 * (1.0 + np.cos(math.pi * step / decay_steps))
    return lr * ((1.0 - alpha) * cosine + alpha)


def _restart_period(step, first, t_mul):
    """(index, fraction) by walking period boundaries; None past a horizon."""
    start, length, i = 0.0, float(first), 0
    while step >= start + length:
        start += length
        length *= t_mul
        i += 1
        if length < 1e-9:  # t_mul < 1: beyond the horizon
            return None
    return i, (step - start) / length


def cosine_decay_restarts(lr, step, first, t_mul=2.0, m_mul=1.0, alpha=0.0):
    out = []
    for s in np.atleast_1d(_steps(step)).astype(np.float64):
        period = _restart_period(s, first, t_mul)
        if period is None:
            out.append(lr * alpha)
            continue
        i, frac = period
        cosine = 0.5 * m_mul ** i * (1.0 + math.cos(math.pi * frac))
        out.append(lr * ((1.0 - alpha) * cosine + alpha))
    return np.array(out).reshape(np.shape(step))


def linear_cosine_decay(lr, step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, noise=0.0):
    step = np.minimum(_steps(step).astype(np.float64), decay_steps)
    linear = (decay_steps - step) / decay_steps + noise
    cosine = 0.5 * (1.0 + np.cos(2.0 * math.pi * num_periods * step / decay_steps))
    return lr * ((alpha + linear) * cosine + beta)


def piecewise_constant(x, boundaries, values):
    """TF1's definition, case by case."""
    def one(v):
        if v <= boundaries[0]:
            return values[0]
        if v > boundaries[-1]:
            return values[-1]
        for i in range(1, len(boundaries)):
            if boundaries[i - 1] < v <= boundaries[i]:
                return values[i]
        raise AssertionError("boundaries are not increasing")

    x = _steps(x)
    return np.array([one(v) for v in x.reshape(-1).tolist()]).reshape(x.shape)


def noise_stddev(step, decay_steps, initial_variance=1.0, variance_decay=0.55):
    step = np.minimum(_steps(step).astype(np.float64), decay_steps)
    return np.sqrt(initial_variance / (1.0 + step) ** variance_decay)
