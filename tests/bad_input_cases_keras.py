"""Catalogue rows of `keras_schedules`: arguments a saved Keras config
cannot hold (see `tests/bad_input_cases.py` for the row format). Each used
to be accepted; `model.save` then wrote a file `load_model` could not read.
"""
import tensorflow as tf

import tf1_schedules
from tests.bad_input_cases import EAGER, c
from tf1_schedules import keras_schedules
from tf1_schedules.schedules import step_fns

K = "keras_schedules"


def _inner():
    return keras_schedules.CosineDecay(0.1, 10)


CASES = [
    c(f"{K}.CosineDecay", "learning_rate=<tf.Tensor>", TypeError,
      lambda e: keras_schedules.CosineDecay(tf.constant(0.1), 10),
      shows="learning_rate=<tf.Tensor"),
    c(f"{K}.ExponentialDecay", "decay_steps=<tf.Variable>", TypeError,
      lambda e: keras_schedules.ExponentialDecay(0.1, e["v"], 0.5),
      prepare=lambda: {"v": tf.Variable(10)},
      shows="decay_steps=<tf.Variable", modes=EAGER),
    c(f"{K}.LRScheduler", "lr=<tf.Tensor>", TypeError,
      lambda e: keras_schedules.LRScheduler(100, tf.constant(0.1)),
      shows="lr=<tf.Tensor"),
    c(f"{K}.Warmup", "schedule=<step function>", TypeError,
      lambda e: keras_schedules.Warmup(step_fns.cosine_decay_fn(0.1, 10), 2),
      shows="schedule=<function"),
    c(f"{K}.Warmup", "schedule=<eager TF1-style callable>", TypeError,
      lambda e: keras_schedules.Warmup(e["lr"], 2),
      prepare=lambda: {"lr": tf1_schedules.cosine_decay(0.1, tf.Variable(0),
                                                        10)},
      shows="schedule=<ScheduleFn", modes=EAGER),
    c(f"{K}.Join", "schedules[1]=<lambda>", TypeError,
      lambda e: keras_schedules.Join([_inner(), lambda step: 0.1], [5]),
      argument="schedules[1]", shows="schedules[1]=<function"),
    c(f"{K}.from_tf1", "schedule=<tf.Tensor>", TypeError,
      lambda e: keras_schedules.from_tf1(tf.constant(0.1)),
      shows="schedule=<tf.Tensor"),
]
