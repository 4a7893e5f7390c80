"""Per-step Gaussian noise for `noisy_linear_cosine_decay`.

With a seed, the noise at a step is a pure function of `(seed, step)`: the
same in graph and eager mode, across sessions and restarts, and whether the
step comes alone or inside a vector of steps. Two 64-bit hashes of the step
(the splitmix64 finaliser, on public `tf.bitwise` ops) give two uniforms,
which the Box-Muller transform turns into one standard normal.
"""
import math

import tensorflow as tf

__all__ = ["standard_normal"]

_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


def _u64(value):
    return tf.constant(value % 2**64, tf.uint64)


def _shift_xor(x, bits):
    return tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, _u64(bits)))


def _mix(x):
    """splitmix64's finaliser: a bijection on uint64 with strong avalanche."""
    x = _shift_xor(x, 30) * _u64(_MIX1)
    x = _shift_xor(x, 27) * _u64(_MIX2)
    return _shift_xor(x, 31)


def _uniform(hashed):
    """Top 53 bits -> a float64 in (0, 1)."""
    top = tf.cast(tf.bitwise.right_shift(hashed, _u64(11)), tf.float64)
    return (top + 0.5) * 2.0**-53


def standard_normal(step, seed, dtype):
    """N(0, 1) noise shaped like `step`.

    seed None: fresh `tf.random.normal` draws on every evaluation (TF's
    behaviour). An int: deterministic in `(seed, step)`.
    """
    if seed is None:
        return tf.random.normal(tf.shape(step), dtype=dtype)
    bits = tf.bitcast(tf.cast(step, tf.int64), tf.uint64)
    keyed = _mix(bits + _u64(_GOLDEN * (2 * seed + 1)))
    u1 = _uniform(_mix(keyed + _u64(_GOLDEN)))
    u2 = _uniform(_mix(keyed + _u64(2 * _GOLDEN)))
    normal = tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos(2.0 * math.pi * u2)
    return tf.cast(normal, dtype)
