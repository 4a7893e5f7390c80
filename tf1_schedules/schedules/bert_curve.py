"""The learning rate of BERT's `create_optimizer`, as a schedule.

    decay(s) = polynomial_decay(init_lr, s, N, end_learning_rate, power)
    step < W: init_lr * step / W          (W = num_warmup_steps)
    otherwise: decay(step)                # BERT: counted from step 0

A polynomial decay under `compose.bert_warmup`; `optim.bert` builds its
optimizer on it.
"""
import tensorflow as tf  # noqa: F401  (the doctest's `tf`)

from tf1_schedules import _checks as checks
from tf1_schedules.schedules import compose
from tf1_schedules.schedules._define import Schedule
from tf1_schedules.schedules.decay import POLYNOMIAL_DECAY

__all__ = ["bert_learning_rate", "bert_learning_rate_fn", "bert_curve",
           "BERT_LEARNING_RATE"]


def bert_curve(fn, init_lr, num_train_steps, num_warmup_steps,
               continuous=False, end_learning_rate=0.0, power=1.0):
    """BERT's curve as `f(step)`, with errors naming `fn` (the caller)."""
    init_lr = checks.check_learning_rate(fn, init_lr, arg="init_lr")
    num_train_steps = checks.check_integer(fn, "num_train_steps",
                                           num_train_steps, low=1)
    warm = 0 if num_warmup_steps is None else checks.check_integer(
        fn, "num_warmup_steps", num_warmup_steps)
    continuous = checks.check_flag(fn, "continuous", continuous)
    decay_steps = num_train_steps - warm if continuous else num_train_steps
    if decay_steps <= 0:
        checks.fail(fn, "num_train_steps", f"> num_warmup_steps = {warm} "
                    "with continuous=True", num_train_steps)
    decayed = POLYNOMIAL_DECAY.make(fn, init_lr, decay_steps,
                                    end_learning_rate=end_learning_rate,
                                    power=power)
    return compose.bert_warmup(decayed, init_lr, warm, continuous=continuous)


def _bert_learning_rate(call, init_lr, num_train_steps, num_warmup_steps, *,
                        continuous=False, end_learning_rate=0.0, power=1.0,
                        name=None):
    """The learning rate of BERT's `create_optimizer`.

        decay(s) = polynomial_decay(init_lr, s, N, end_learning_rate, power)
        step < W: init_lr * step / W          (W = num_warmup_steps)
        otherwise: decay(step)                 # BERT: counted from step 0
                   continuous=True: polynomial_decay(init_lr, step - W,
                                        N - W, end_learning_rate, power)

    The default reproduces BERT (`[0, .25, .5, .75, .6, .5, ...]` for
    `init_lr=1, N=10, W=4`: it drops at `W`); `continuous=True` is the
    HF-style curve that reaches `init_lr` at `W` and decays from there.

    Args:
      init_lr: number or float tensor.
      global_step: the step; None means the global step.
      num_train_steps: integer >= 1 (N).
      num_warmup_steps: integer >= 0 (W); 0 or None means no warmup.
      continuous, end_learning_rate, power: keyword-only.
      name: keyword-only name of the output op; default `BertLearningRate`.

    Values are BERT's bit for bit below 2**24 (the ramp is rounded as BERT
    rounds it); the step is never cast to int32 (BERT's wraps past 2**31
    and restarts warmup).

    Returns:
      Graph mode: a Tensor. Eager mode: a zero-argument callable.

    Example:
      >>> lr = bert_learning_rate(1.0, tf.range(7), 10, 4)
      >>> [round(float(v), 2) for v in lr()]
      [0.0, 0.25, 0.5, 0.75, 0.6, 0.5, 0.4]
    """
    checks.check_name(call.fn, name)
    curve = bert_curve(call.fn, init_lr, num_train_steps, num_warmup_steps,
                       continuous, end_learning_rate, power)
    return compose.named(curve, name or "BertLearningRate")


BERT_LEARNING_RATE = Schedule(_bert_learning_rate, "bert_learning_rate")
bert_learning_rate = BERT_LEARNING_RATE.tf1
bert_learning_rate_fn = BERT_LEARNING_RATE.fn
