"""Catalogue rows of the schedules layer found by the second adversarial pass.

Each of these gave a silent wrong value (inf, NaN, a wrapped integer, 0) or
a crash deep inside TensorFlow before; now each is a clear error naming the
function, the argument and the value, before any op is built.
"""
import numpy as np
import tensorflow as tf

from tests.bad_input_cases import EAGER, c
from tf1_schedules import keras_schedules
from tf1_schedules.schedules import (bert_curve, compose, cosine, decay, od,
                                     policies)

_BIG = 2**63


def _uint64_step():
    return {"step": tf.constant(_BIG + 5, tf.uint64)}


def _v1_sgd():
    return {"opt": tf.keras.optimizers.SGD(0.1)}


CASES = [
    # steps that would wrap or overflow int64
    c("decay.exponential_decay", "global_step=uint64(2**63 + 5)", TypeError,
      lambda e: decay.exponential_decay(0.1, e["step"], 10, 0.5,
                                        staircase=True),
      prepare=_uint64_step, argument="global_step", shows="uint64"),
    c("decay.exponential_decay", "global_step=2**63", ValueError,
      lambda e: decay.exponential_decay(0.1, _BIG, 10, 0.5),
      shows=f"global_step={_BIG}"),
    c("od.cosine_decay_with_warmup", "global_step=2**63", ValueError,
      lambda e: od.cosine_decay_with_warmup(_BIG, 0.1, 100, warmup_steps=10),
      shows=f"global_step={_BIG}"),
    c("compose.stepwise", "boundaries=[2**63]", ValueError,
      lambda e: compose.stepwise([_BIG], [0.1, 0.01]),
      shows=f"boundaries={_BIG}"),
    c("compose.join", "boundaries=[2**63]", ValueError,
      lambda e: compose.join([compose.constant(0.1), compose.constant(0.2)],
                             [_BIG]),
      shows=f"boundaries={_BIG}"),
    c("od.manual_stepping", "boundaries=[2**63]", ValueError,
      lambda e: od.manual_stepping(None, [_BIG], [0.1, 0.01]),
      shows=f"boundaries=[{_BIG}]"),
    c("keras_schedules.LRScheduler.update", "step=2**70", ValueError,
      lambda e: keras_schedules.LRScheduler(100, 0.1).update(e["opt"],
                                                             2**70),
      prepare=_v1_sgd, where="LRScheduler", argument="step",
      shows=f"step={2**70}", modes=EAGER),
    c("keras_schedules.LRScheduler.__call__", "step='5'", TypeError,
      lambda e: keras_schedules.LRScheduler(100, 0.1)("5"),
      where="LRScheduler", argument="step", shows="step='5'"),
    # values that round to 0 or inf in the learning rate's dtype
    c("cosine.cosine_decay", "decay_steps=1e-50", ValueError,
      lambda e: cosine.cosine_decay(0.1, 0, 1e-50)),
    c("decay.exponential_decay", "learning_rate=1e+300", ValueError,
      lambda e: decay.exponential_decay(1e300, 0, 10, 0.5)),
    c("decay.exponential_decay", "decay_rate=1e+300", ValueError,
      lambda e: decay.exponential_decay(0.1, 0, 10, 1e300)),
    c("cosine.cosine_decay_restarts", "m_mul=1e+30", ValueError,
      lambda e: cosine.cosine_decay_restarts(0.1, 0, 10, m_mul=1e30)),
    c("cosine.noisy_linear_cosine_decay", "initial_variance=1e+300",
      ValueError,
      lambda e: cosine.noisy_linear_cosine_decay(0.1, 0, 10,
                                                 initial_variance=1e300)),
    c("compose.stepwise", "values=[1e300, 1]", ValueError,
      lambda e: compose.stepwise([5], [1e300, 1]),
      shows="values=1e+300"),
    c("compose.constant", "value=1e5 (float16)", ValueError,
      lambda e: compose.constant(1e5, dtype=tf.float16),
      shows="value=100000.0"),
    # negative learning rates: one rule for the whole package
    c("decay.exponential_decay", "learning_rate=-0.5", ValueError,
      lambda e: decay.exponential_decay(-0.5, 0, 10, 0.5)),
    c("od.exponential_decay_with_burnin", "learning_rate_base=-0.1",
      ValueError,
      lambda e: od.exponential_decay_with_burnin(0, -0.1, 10, 0.5)),
    c("bert_curve.bert_learning_rate", "init_lr=-1.0", ValueError,
      lambda e: bert_curve.bert_learning_rate(-1.0, 0, 10, 2)),
    c("compose.constant", "value=-0.1", ValueError,
      lambda e: compose.constant(-0.1)),
    c("compose.with_warmup", "warmup_learning_rate=-0.1", ValueError,
      lambda e: compose.with_warmup(compose.constant(0.1), 5, -0.1)),
    c("policies.one_cycle", "learning_rate=-0.1", ValueError,
      lambda e: policies.one_cycle(-0.1, 0, 100)),
    # names TF rejects, before the global step is created
    c("decay.exponential_decay", "name='a b'", ValueError,
      lambda e: decay.exponential_decay(0.1, None, 10, 0.5, name="a b")),
    # schedules whose output cannot be warmed up
    c("compose.with_warmup", "schedule=<returns int64>", TypeError,
      lambda e: compose.with_warmup(lambda s: tf.ones_like(s), 10)(
          tf.constant(5)),
      argument="schedule", shows="int64", modes=EAGER),
    # keyword misuse names the function the user called
    c("keras_schedules.ExponentialDecay", "decay_steps missing", TypeError,
      lambda e: keras_schedules.ExponentialDecay(0.1),
      argument="decay_steps", shows="decay_steps"),
    c("compose.bert_warmup", "warmup_steps=3.5", TypeError,
      lambda e: compose.bert_warmup(compose.constant(1.0), 1.0, 3.5)),
    c("od.manual_stepping", "rates=[nan, 0.1]", ValueError,
      lambda e: od.manual_stepping(None, [5], [np.nan, 0.1]),
      argument="rates",
      shows="rates=[nan, 0.1]"),
    c("od.manual_stepping", "rates=[-0.1, 0.1]", ValueError,
      lambda e: od.manual_stepping(None, [5], [-0.1, 0.1]),
      argument="rates",
      shows="rates=[-0.1, 0.1]"),
]
