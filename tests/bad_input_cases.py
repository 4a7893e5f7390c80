"""The catalogue of rejected inputs: one row per (function, bad input).

Used by `tests/test_bad_input.py` (every row is a test, in graph and eager
mode) and by `scripts/bad_input_table.py` (the Markdown table in the docs),
so the two cannot drift.

A row says which public function gets which bad argument, the exception
type, and what the message must name. `call(env)` makes the call; `prepare()`
(optional) builds the row's own inputs first (tensors, variables, a loss),
which are not counted as ops "built by the function". Messages follow the
project's one shape,

    <function>: `<argument>` must be <rule>. Received: <argument>=<value>.

except where an upstream message is kept verbatim on purpose (OD's
`learning_schedules` messages and TF's piecewise dtype messages: configs
and tests grep for them); those rows give the exact text in `verbatim`.
"""
import dataclasses
import importlib
import re
import tempfile
from typing import Callable, Optional

import tensorflow as tf

from tf1_schedules import keras_schedules
from tf1_schedules import slim as finetune
from tf1_schedules.optim import bert, groups, loss_scale
from tf1_schedules.optim import grouped as optimizers
from tf1_schedules.schedules import (compose, decay, policies, registry,
                                     step_fns)
from tf1_schedules.schedules import bert_curve
from tf1_schedules.schedules import od as warmup
from tf1_schedules.tools import preview

BOTH = ("graph", "eager")
GRAPH = ("graph",)
EAGER = ("eager",)


@dataclasses.dataclass(frozen=True)
class Case:
    """One rejected input.

    function: public name, as the table shows it (`module.name`).
    where: the name the message starts with (default: the bare name).
    argument: the rejected argument.
    given: the input as the table shows it, e.g. `decay_steps=0`.
    error: the exception type.
    call: `call(env) -> anything`, the call that must raise.
    prepare: `prepare() -> env` building the row's own inputs, or None.
    shows: text of the value the message must contain (default: `given`).
    verbatim: the exact upstream message, when kept verbatim.
    off_shape: why the message is not in the project's shape (then only
      `shows` is checked); reported to the module's owner.
    known_bug: the row fails today for this reason (a strict xfail: the
      test turns red once the bug is fixed, so the mark gets removed).
    modes: where the row applies ("graph", "eager").
    """

    function: str
    argument: str
    given: str
    error: type
    call: Callable
    prepare: Optional[Callable] = None
    where: Optional[str] = None
    shows: Optional[str] = None
    verbatim: Optional[str] = None
    off_shape: Optional[str] = None
    known_bug: Optional[str] = None
    modes: tuple = BOTH

    @property
    def id(self):
        arg = re.sub(r"\W+", "_", self.given).strip("_")
        return f"{self.function}-{arg}"

    @property
    def prefix(self):
        return (self.where or self.function.split(".", 1)[1]) + ": "

    @property
    def value_text(self):
        return self.given if self.shows is None else self.shows


def c(function, given, error, call, **options):
    argument = options.pop("argument", given.split("=")[0])
    return Case(function, argument, given, error, call, **options)


# --------------------------------------------------------------- inputs --

def _int_tensor():
    return {"lr": tf.constant(1, tf.int32)}


def _string_step():
    return {"step": tf.constant("ten")}


def _float_step():
    return {"step": tf.constant(5.0)}


def _tensor_schedule():
    return {"t": tf.constant(0.1)}


def _two_variables():
    """A tiny model: `net/w` and `net/b`, and a loss of both."""
    w = tf.Variable([1.0, 2.0], name="net/w")
    b = tf.Variable(0.5, name="net/b")
    return {"w": w, "b": b,
            "loss": lambda: tf.reduce_sum(w * w) + b * b}


def _graph_loss():
    env = _two_variables()
    env["loss"] = env["loss"]()
    return env


def _missing_dir():
    return {"path": tempfile.mkdtemp(prefix="no_ckpt_")}


class _NotAnOptimizer:
    pass


_OD_POSITIVE = "boundaries must be a list of positive integers"
_OD_INCREASING = "Entries in boundaries must be strictly increasing."
_OD_FLOATS = "Learning rates must be floats"
_OD_COUNT = ("Number of provided learning rates must exceed number of "
             "boundary points by exactly 1.")
_OD_ZERO = "First step cannot be zero."
_OD_BASE = ("learning_rate_base must be larger or equal to "
            "warmup_learning_rate.")
_OD_TOTAL = "total_steps must be larger or equal to warmup_steps."

_REGISTRY = ("registry.get's message names the value and the choices, not "
             "the function or the argument")
# ----------------------------------------------------------------- rows --

D, W, P, K = "decay", "warmup", "policies", "keras_schedules"

CASES = [
    # decay: the nine TF mirrors
    c(f"{D}.exponential_decay", "decay_steps=0", ValueError,
      lambda e: decay.exponential_decay(0.1, None, 0, 0.5)),
    c(f"{D}.exponential_decay", "decay_steps=-10", ValueError,
      lambda e: decay.exponential_decay(0.1, None, -10, 0.5)),
    c(f"{D}.exponential_decay", "decay_rate=0.0", ValueError,
      lambda e: decay.exponential_decay(0.1, None, 10, 0.0)),
    c(f"{D}.exponential_decay", "learning_rate=nan", ValueError,
      lambda e: decay.exponential_decay(float("nan"), None, 10, 0.5)),
    c(f"{D}.exponential_decay", "learning_rate='0.1'", TypeError,
      lambda e: decay.exponential_decay("0.1", None, 10, 0.5)),
    c(f"{D}.exponential_decay", "learning_rate=<int32 Tensor>", TypeError,
      lambda e: decay.exponential_decay(e["lr"], None, 10, 0.5),
      prepare=_int_tensor, shows="learning_rate=<tf.",
      argument="learning_rate"),
    c(f"{D}.exponential_decay", "global_step='10'", TypeError,
      lambda e: decay.exponential_decay(0.1, "10", 10, 0.5)),
    c(f"{D}.exponential_decay", "global_step=[[1, 2]]", TypeError,
      lambda e: decay.exponential_decay(0.1, [[1, 2]], 10, 0.5)),
    c(f"{D}.exponential_decay", "global_step=<string Tensor>", TypeError,
      lambda e: decay.exponential_decay(0.1, e["step"], 10, 0.5),
      prepare=_string_step, shows="global_step=<tf.", argument="global_step"),
    c(f"{D}.exponential_decay", "staircase='yes'", TypeError,
      lambda e: decay.exponential_decay(0.1, None, 10, 0.5, staircase="yes")),
    c(f"{D}.exponential_decay", "name=3", TypeError,
      lambda e: decay.exponential_decay(0.1, None, 10, 0.5, name=3)),
    c(f"{D}.natural_exp_decay", "decay_rate=inf", ValueError,
      lambda e: decay.natural_exp_decay(0.1, None, 10, float("inf"))),
    c(f"{D}.inverse_time_decay", "decay_rate=-1", ValueError,
      lambda e: decay.inverse_time_decay(0.1, None, 10, -1)),
    c(f"{D}.polynomial_decay", "power=-1.0", ValueError,
      lambda e: decay.polynomial_decay(0.1, None, 10, power=-1.0)),
    c(f"{D}.polynomial_decay", "cycle=1", TypeError,
      lambda e: decay.polynomial_decay(0.1, None, 10, cycle=1)),
    c(f"{D}.polynomial_decay", "end_learning_rate=None", TypeError,
      lambda e: decay.polynomial_decay(0.1, None, 10, end_learning_rate=None)),
    c(f"{D}.cosine_decay", "decay_steps=True", TypeError,
      lambda e: decay.cosine_decay(0.1, None, True)),
    c(f"{D}.cosine_decay", "alpha=nan", ValueError,
      lambda e: decay.cosine_decay(0.1, None, 10, alpha=float("nan"))),
    c(f"{D}.cosine_decay_restarts", "first_decay_steps=0", ValueError,
      lambda e: decay.cosine_decay_restarts(0.1, None, 0)),
    c(f"{D}.cosine_decay_restarts", "t_mul=0.0", ValueError,
      lambda e: decay.cosine_decay_restarts(0.1, None, 10, t_mul=0.0)),
    c(f"{D}.cosine_decay_restarts", "m_mul=-0.5", ValueError,
      lambda e: decay.cosine_decay_restarts(0.1, None, 10, m_mul=-0.5)),
    c(f"{D}.linear_cosine_decay", "num_periods=inf", ValueError,
      lambda e: decay.linear_cosine_decay(0.1, None, 10,
                                          num_periods=float("inf"))),
    c(f"{D}.linear_cosine_decay", "beta='0.001'", TypeError,
      lambda e: decay.linear_cosine_decay(0.1, None, 10, beta="0.001")),
    c(f"{D}.noisy_linear_cosine_decay", "initial_variance=-1.0", ValueError,
      lambda e: decay.noisy_linear_cosine_decay(0.1, None, 10,
                                                initial_variance=-1.0)),
    c(f"{D}.noisy_linear_cosine_decay", "seed=1.5", TypeError,
      lambda e: decay.noisy_linear_cosine_decay(0.1, None, 10, seed=1.5)),
    c(f"{D}.piecewise_constant", "boundaries=[]", ValueError,
      lambda e: decay.piecewise_constant(None, [], [0.1])),
    c(f"{D}.piecewise_constant", "boundaries=[20, 10]", ValueError,
      lambda e: decay.piecewise_constant(None, [20, 10], [1.0, 0.5, 0.1])),
    c(f"{D}.piecewise_constant", "boundaries=10", TypeError,
      lambda e: decay.piecewise_constant(None, 10, [1.0, 0.5])),
    c(f"{D}.piecewise_constant", "values=[1.0, 0.5]", ValueError,
      lambda e: decay.piecewise_constant(None, [10, 20], [1.0, 0.5])),
    c(f"{D}.piecewise_constant", "boundaries=[10] (int) with a float32 x",
      ValueError,
      lambda e: decay.piecewise_constant(e["step"], [10], [1.0, 0.5]),
      prepare=_float_step, argument="boundaries",
      verbatim="Boundaries (<dtype: 'int32'>) must have the same dtype as x "
               "(<dtype: 'float32'>)."),
    c(f"{D}.piecewise_constant", "values=[1.0, 2]", ValueError,
      lambda e: decay.piecewise_constant(None, [10], [1.0, 2]),
      verbatim="Values must have elements all with the same dtype "
               "(<dtype: 'float32'> vs <dtype: 'int32'>)."),
    c(f"{D}.piecewise_constant", "values=[nan, 0.1]", ValueError,
      lambda e: decay.piecewise_constant(None, [5], [float("nan"), 0.1])),
    # step functions
    c("step_fns.exponential_decay_fn", "decay_steps=0", ValueError,
      lambda e: step_fns.exponential_decay_fn(0.1, 0, 0.5)(
          tf.constant(3, tf.int64)),
      where="exponential_decay"),
    c("step_fns.piecewise_constant_fn", "boundaries=[5, 5]", ValueError,
      lambda e: step_fns.piecewise_constant_fn([5, 5], [1.0, 0.5, 0.1])(
          tf.constant(3, tf.int64)),
      where="piecewise_constant"),
    # compose
    c("compose.constant", "value='x'", TypeError,
      lambda e: compose.constant("x")),
    c("compose.ramp", "steps=0", ValueError,
      lambda e: compose.ramp(0.0, 1.0, 0)),
    c("compose.ramp", "shape='square'", ValueError,
      lambda e: compose.ramp(0.0, 1.0, 10, shape="square")),
    c("compose.stepwise", "boundaries=[10, 10]", ValueError,
      lambda e: compose.stepwise([10, 10], [1.0, 0.5, 0.1])),
    c("compose.stepwise", "values=[1.0]", ValueError,
      lambda e: compose.stepwise([10], [1.0])),
    c("compose.stepwise", "boundaries=[1.5]", TypeError,
      lambda e: compose.stepwise([1.5], [1.0, 0.5]), shows="boundaries=1.5"),
    c("compose.join", "schedules=[]", TypeError,
      lambda e: compose.join([], [])),
    c("compose.join", "schedules=[<Tensor>]", TypeError,
      lambda e: compose.join([e["t"]], []), prepare=_tensor_schedule,
      argument="schedules", shows="schedules=<tf."),
    c("compose.join", "boundaries=[5, 6]", ValueError,
      lambda e: compose.join([compose.constant(1.0), compose.constant(0.5)],
                             [5, 6])),
    c("compose.with_warmup", "warmup_steps=-5", ValueError,
      lambda e: compose.with_warmup(compose.constant(1.0), -5)),
    c("compose.with_warmup", "mode='linear'", ValueError,
      lambda e: compose.with_warmup(compose.constant(1.0), 5, mode="linear")),
    c("compose.with_warmup", "peak=nan", ValueError,
      lambda e: compose.with_warmup(compose.constant(1.0), 5,
                                    peak=float("nan"))),
    c("compose.bert_warmup", "continuous='yes'", TypeError,
      lambda e: compose.bert_warmup(compose.constant(1.0), 1.0, 5,
                                    continuous="yes")),
    c("compose.at_global_step", "schedule=0.1", TypeError,
      lambda e: compose.at_global_step(0.1)),
    # OD schedules (OD's messages verbatim)
    c(f"{W}.exponential_decay_with_burnin", "learning_rate_decay_steps=0",
      ValueError,
      lambda e: warmup.exponential_decay_with_burnin(None, 1.0, 0, 0.1)),
    c(f"{W}.exponential_decay_with_burnin", "burnin_steps=-1", ValueError,
      lambda e: warmup.exponential_decay_with_burnin(None, 1.0, 3, 0.1,
                                                     0.5, -1)),
    c(f"{W}.exponential_decay_with_burnin", "burnin_steps=2.5", TypeError,
      lambda e: warmup.exponential_decay_with_burnin(None, 1.0, 3, 0.1,
                                                     0.5, 2.5)),
    c(f"{W}.exponential_decay_with_burnin", "staircase='no'", TypeError,
      lambda e: warmup.exponential_decay_with_burnin(
          None, 1.0, 3, 0.1, staircase="no")),
    c(f"{W}.exponential_decay_with_warmup",
      "warmup_learning_rate=2.0 > learning_rate_base=1.0", ValueError,
      lambda e: warmup.exponential_decay_with_warmup(None, 1.0, 3, 0.1, 2.0,
                                                     5),
      argument="warmup_learning_rate", verbatim=_OD_BASE),
    c(f"{W}.exponential_decay_with_warmup", "learning_rate_decay_factor=0",
      ValueError,
      lambda e: warmup.exponential_decay_with_warmup(None, 1.0, 3, 0)),
    c(f"{W}.cosine_decay_with_warmup", "total_steps=5 < warmup_steps=10",
      ValueError,
      lambda e: warmup.cosine_decay_with_warmup(None, 1.0, 5, 0.1, 10),
      argument="total_steps", verbatim=_OD_TOTAL),
    c(f"{W}.cosine_decay_with_warmup",
      "warmup_learning_rate=2.0 > learning_rate_base=1.0", ValueError,
      lambda e: warmup.cosine_decay_with_warmup(None, 1.0, 100, 2.0, 10),
      argument="warmup_learning_rate", verbatim=_OD_BASE),
    c(f"{W}.cosine_decay_with_warmup", "total_steps=15", ValueError,
      lambda e: warmup.cosine_decay_with_warmup(None, 1.0, 15, 0.1, 10, 5)),
    c(f"{W}.cosine_decay_with_warmup",
      "total_steps=100, total_decay_steps=100", TypeError,
      lambda e: warmup.cosine_decay_with_warmup(None, 1.0, 100,
                                                total_decay_steps=100),
      argument="total_steps", shows="total_decay_steps=100"),
    c(f"{W}.cosine_decay_with_warmup", "total_steps=None", TypeError,
      lambda e: warmup.cosine_decay_with_warmup(None, 1.0),
      shows="(or its alias `total_decay_steps`)"),
    c(f"{W}.manual_stepping", "boundaries=[-1]", ValueError,
      lambda e: warmup.manual_stepping(None, [-1], [0.1, 0.01]),
      verbatim=_OD_POSITIVE),
    c(f"{W}.manual_stepping", "boundaries=[5, 3]", ValueError,
      lambda e: warmup.manual_stepping(None, [5, 3], [0.1, 0.01, 0.001]),
      verbatim=_OD_INCREASING),
    c(f"{W}.manual_stepping", "rates=['0.1', 0.01]", ValueError,
      lambda e: warmup.manual_stepping(None, [5], ["0.1", 0.01]),
      verbatim=_OD_FLOATS),
    c(f"{W}.manual_stepping", "rates=[0.1]", ValueError,
      lambda e: warmup.manual_stepping(None, [5], [0.1]),
      verbatim=_OD_COUNT),
    c(f"{W}.manual_stepping", "boundaries=[0, 5]", ValueError,
      lambda e: warmup.manual_stepping(None, [0, 5], [0.1, 0.01, 0.001]),
      verbatim=_OD_ZERO),
    c(f"{W}.manual_stepping", "boundaries=[True]", TypeError,
      lambda e: warmup.manual_stepping(None, [True], [0.1, 0.01])),
    c(f"{W}.manual_stepping", "warmup='yes'", TypeError,
      lambda e: warmup.manual_stepping(None, [5], [0.1, 0.01],
                                       warmup="yes")),
    c("bert_curve.bert_learning_rate", "num_train_steps=0", ValueError,
      lambda e: bert_curve.bert_learning_rate(1e-4, None, 0, 0)),
    c("bert_curve.bert_learning_rate", "num_warmup_steps=2.5", TypeError,
      lambda e: bert_curve.bert_learning_rate(1e-4, None, 100, 2.5)),
    c("bert_curve.bert_learning_rate", "num_warmup_steps=-1", ValueError,
      lambda e: bert_curve.bert_learning_rate(1e-4, None, 100, -1)),
    c("bert_curve.bert_learning_rate", "num_train_steps=10", ValueError,
      lambda e: bert_curve.bert_learning_rate(1e-4, None, 10, 10,
                                          continuous=True)),
    # policies (the LRScheduler snippet)
    c(f"{P}.constant_learning_rate", "learning_rate='high'", TypeError,
      lambda e: policies.constant_learning_rate("high")),
    c(f"{P}.step_decay_with_warmup", "total_steps=0", ValueError,
      lambda e: policies.step_decay_with_warmup(0.1, None, 0)),
    c(f"{P}.step_decay_with_warmup", "warm_up=1.5", ValueError,
      lambda e: policies.step_decay_with_warmup(0.1, None, 100, 1.5)),
    c(f"{P}.step_decay_with_warmup", "learning_rate=-0.1", ValueError,
      lambda e: policies.step_decay_with_warmup(-0.1, None, 100)),
    c(f"{P}.cosine_annealing_warm_restarts", "initial_cycle_length=0",
      ValueError,
      lambda e: policies.cosine_annealing_warm_restarts(
          0.1, None, 100, initial_cycle_length=0)),
    c(f"{P}.cosine_annealing_warm_restarts", "cycle_weight=0.0", ValueError,
      lambda e: policies.cosine_annealing_warm_restarts(
          0.1, None, 100, cycle_weight=0.0)),
    c(f"{P}.one_cycle", "warm_up=1.5", ValueError,
      lambda e: policies.one_cycle(0.1, None, 100, warm_up=1.5)),
    c(f"{P}.LRScheduler", "policy='linear'", ValueError,
      lambda e: keras_schedules.LRScheduler(100, 0.1, policy="linear")),
    c(f"{P}.LRScheduler", "iterations=0", ValueError,
      lambda e: keras_schedules.LRScheduler(0, 0.1)),
    c(f"{P}.LRScheduler.update", "optimizer=<v1 SGD with a float lr>",
      TypeError,
      lambda e: keras_schedules.LRScheduler(100, 0.1).update(
          tf.compat.v1.train.GradientDescentOptimizer(0.1), 5),
      argument="optimizer", shows="optimizer=<", modes=EAGER),
    c(f"{P}.LRScheduler.update", "optimizer=<an object>", TypeError,
      lambda e: keras_schedules.LRScheduler(100, 0.1).update(
          _NotAnOptimizer(), 5),
      argument="optimizer", shows="optimizer=<", modes=EAGER),
    # Keras schedules, preview, registry
    c(f"{K}.ExponentialDecay", "decay_steps=0", ValueError,
      lambda e: keras_schedules.ExponentialDecay(0.1, 0, 0.5)(
          tf.constant(3, tf.int64))),
    c(f"{K}.CosineDecayWithWarmup", "total_steps=5 < warmup_steps=10",
      ValueError,
      lambda e: keras_schedules.CosineDecayWithWarmup(1.0, 5, 0.1, 10),
      argument="total_steps", verbatim=_OD_TOTAL),
    c(f"{K}.Warmup", "warmup_steps=-1", ValueError,
      lambda e: keras_schedules.Warmup(keras_schedules.ExponentialDecay(
          0.1, 10, 0.5), -1), where="with_warmup"),
    c(f"{K}.Join", "boundaries=[]", ValueError,
      lambda e: keras_schedules.Join([
          keras_schedules.ExponentialDecay(0.1, 10, 0.5),
          keras_schedules.ExponentialDecay(0.1, 10, 0.5)], []),
      where="join"),
    c(f"{K}.for_schedule", "name='nope'", ValueError,
      lambda e: keras_schedules.for_schedule("nope"),
      shows="unknown schedule 'nope'; known schedules: exponential_decay",
      off_shape=_REGISTRY),
    c("preview.values", "steps=[[0, 1]]", TypeError,
      lambda e: preview.values("exponential_decay", [[0, 1]],
                               learning_rate=0.1, decay_steps=10,
                               decay_rate=0.5),
      shows="steps=[[0, 1]]"),
    c("preview.values", "decay_steps=0", ValueError,
      lambda e: preview.values("exponential_decay", [0, 1],
                               learning_rate=0.1, decay_steps=0,
                               decay_rate=0.5),
      where="exponential_decay"),
    c("preview.resolve", "schedule_or_name=0.5", TypeError,
      lambda e: preview.resolve(0.5), where="values"),
    c("registry.get", "name='nope'", ValueError,
      lambda e: registry.get("nope"),
      shows="unknown schedule 'nope'; known schedules: exponential_decay",
      off_shape=_REGISTRY),
    # BERT
    c("bert.AdamWeightDecayOptimizer", "beta_1=1.0", ValueError,
      lambda e: bert.AdamWeightDecayOptimizer(0.1, beta_1=1.0)),
    c("bert.AdamWeightDecayOptimizer", "weight_decay_rate=-0.01", ValueError,
      lambda e: bert.AdamWeightDecayOptimizer(0.1, weight_decay_rate=-0.01)),
    c("bert.AdamWeightDecayOptimizer", "exclude_from_weight_decay='bias'",
      TypeError,
      lambda e: bert.AdamWeightDecayOptimizer(
          0.1, exclude_from_weight_decay="bias")),
    c("bert.AdamWeightDecayOptimizer", "epsilon=-1e-06", ValueError,
      lambda e: bert.AdamWeightDecayOptimizer(0.1, epsilon=-1e-6)),
    c("bert.bert_optimizer", "use_tpu='no'", TypeError,
      lambda e: bert.bert_optimizer(1e-4, 100, 10, "no")),
    c("bert.bert_optimizer", "init_loss_scale=0", ValueError,
      lambda e: bert.bert_optimizer(1e-4, 100, 10, manual_fp16=True,
                                    init_loss_scale=0)),
    c("bert.bert_optimizer", "weight_decay_rate=-0.01", ValueError,
      lambda e: bert.bert_optimizer(1e-4, 100, 10, weight_decay_rate=-0.01)),
    c("bert.create_optimizer", "init_loss_scale=-1.0", ValueError,
      lambda e: bert.create_optimizer(e["loss"], 1e-4, 100, 10,
                                      manual_fp16=True, init_loss_scale=-1.0),
      prepare=_graph_loss, modes=GRAPH),
    c("bert.create_optimizer", "num_train_steps=0", ValueError,
      lambda e: bert.create_optimizer(e["loss"], 1e-4, 0, 0),
      prepare=_graph_loss, modes=GRAPH),
    c("bert.create_optimizer", "init_lr='high'", TypeError,
      lambda e: bert.create_optimizer(e["loss"], "high", 100, 10),
      prepare=_graph_loss, modes=GRAPH),
    # per-group optimizers
    c("groups.Group", "variables=[]", ValueError,
      lambda e: groups.Group([])),
    c("groups.Group", "variables=5", TypeError,
      lambda e: groups.Group(5)),
    c("groups.Group", "multiplier=-1.0", ValueError,
      lambda e: groups.Group("net", multiplier=-1.0)),
    c("groups.Group", "frozen=True with multiplier=0.5", ValueError,
      lambda e: groups.Group("net", frozen=True, multiplier=0.5),
      argument="frozen", shows="frozen=True"),
    c("groups.Group", "optimizer=<an object>", TypeError,
      lambda e: groups.Group("net", optimizer=_NotAnOptimizer()),
      shows="optimizer=<"),
    c("groups.layer_decay_groups", "decay=0", ValueError,
      lambda e: groups.layer_decay_groups(["a", "b"], 0)),
    c("groups.layer_decay_groups", "layers='net'", TypeError,
      lambda e: groups.layer_decay_groups("net", 0.5)),
    c("groups.slim_blocks", "scope=''", TypeError,
      lambda e: groups.slim_blocks("", [])),
    c("optimizers.GroupedOptimizer", "groups=[]", TypeError,
      lambda e: optimizers.GroupedOptimizer([])),
    c("optimizers.GroupedOptimizer", "clip_norm=0", ValueError,
      lambda e: optimizers.GroupedOptimizer(
          [groups.Group("net")], learning_rate=0.1, clip_norm=0,
          optimizer_fn=tf.compat.v1.train.GradientDescentOptimizer)),
    c("optimizers.GroupedOptimizer", "loss_scale=2.0", TypeError,
      lambda e: optimizers.GroupedOptimizer(
          [groups.Group("net")], learning_rate=0.1, loss_scale=2.0,
          optimizer_fn=tf.compat.v1.train.GradientDescentOptimizer)),
    c("optimizers.GroupedOptimizer", "optimizer_fn=None", ValueError,
      lambda e: optimizers.GroupedOptimizer([groups.Group("net")],
                                            learning_rate=0.1)),
    c("optimizers.GroupedOptimizer.minimize",
      "groups=[Group('net/w')] (net/b in no group)", ValueError,
      lambda e: optimizers.GroupedOptimizer(
          [groups.Group("net/w")], learning_rate=0.1,
          optimizer_fn=tf.compat.v1.train.GradientDescentOptimizer
      ).minimize(e["loss"], var_list=[e["w"], e["b"]]),
      prepare=_two_variables, where="GroupedOptimizer", argument="groups",
      shows="in no group: net/b", modes=EAGER),
    c("optimizers.minimize_groups",
      "groups=[Group('net/w')] (net/b in no group)", ValueError,
      lambda e: optimizers.minimize_groups(
          e["loss"], [groups.Group("net/w")], learning_rate=0.1,
          optimizer_fn=tf.compat.v1.train.GradientDescentOptimizer),
      prepare=_graph_loss, where="GroupedOptimizer", argument="groups",
      shows="in no group: net/b", modes=GRAPH),
    c("loss_scale.DynamicLossScale", "multiplier=1.0", ValueError,
      lambda e: loss_scale.DynamicLossScale(multiplier=1.0)),
    c("loss_scale.DynamicLossScale", "increment_period=0", ValueError,
      lambda e: loss_scale.DynamicLossScale(increment_period=0)),
    # fine-tuning (graph mode: Saver-based)
    c("finetune.resolve_checkpoint", "checkpoint_path=3", TypeError,
      lambda e: finetune.resolve_checkpoint(3)),
    c("finetune.resolve_checkpoint", "checkpoint_path=<empty dir>",
      ValueError, lambda e: finetune.resolve_checkpoint(e["path"]),
      prepare=_missing_dir, shows="no_ckpt_"),
    c("finetune.select_variables", "include_scopes=5", TypeError,
      lambda e: finetune.select_variables([], 5)),
    c("finetune.select_variables", "prefix_match='yes'", TypeError,
      lambda e: finetune.select_variables([], prefix_match="yes")),
    c("finetune.variables_to_train", "trainable_scopes=[1]", TypeError,
      lambda e: finetune.variables_to_train([1], variables=[])),
    c("finetune.variables_to_restore", "checkpoint_path=<empty dir>",
      ValueError, lambda e: finetune.variables_to_restore(e["path"]),
      prepare=_missing_dir, where="resolve_checkpoint", shows="no_ckpt_",
      argument="checkpoint_path", modes=GRAPH),
    c("finetune.variables_to_restore", "ignore_missing_vars='yes'",
      TypeError,
      lambda e: finetune.variables_to_restore(e["path"], None, "yes"),
      prepare=_missing_dir, modes=GRAPH),
    c("finetune.init_fn_from_checkpoint", "print_fn=5", TypeError,
      lambda e: finetune.init_fn_from_checkpoint(e["path"], print_fn=5),
      prepare=_missing_dir, modes=GRAPH),
    # Once accepted silently, validated late or rejected by Python itself.
    c("compose.constant", "value=0.5 with dtype=tf.int32", TypeError,
      lambda e: compose.constant(0.5, dtype=tf.int32), argument="dtype",
      shows="dtype=tf.int32"),
    c("compose.ramp", "dtype=tf.int32", TypeError,
      lambda e: compose.ramp(0.0, 1.0, 10, dtype=tf.int32)),
    c("step_fns.exponential_decay_fn", "decay_steps=0 (at creation)",
      ValueError, lambda e: step_fns.exponential_decay_fn(0.1, 0, 0.5),
      where="exponential_decay", argument="decay_steps",
      shows="decay_steps=0"),
    c(f"{K}.ExponentialDecay", "decay_steps=0 (at creation)",
      ValueError, lambda e: keras_schedules.ExponentialDecay(0.1, 0, 0.5),
      argument="decay_steps", shows="decay_steps=0"),
    c("compose.stepwise", "boundaries=5", TypeError,
      lambda e: compose.stepwise(5, [0.1])),
    c("finetune.select_variables", "variables=5", TypeError,
      lambda e: finetune.select_variables(5)),
    c("finetune.init_fn_from_checkpoint", "train_dir=5", TypeError,
      lambda e: finetune.init_fn_from_checkpoint(e["path"], train_dir=5),
      prepare=_missing_dir, modes=GRAPH),
    c("bert.AdamWeightDecayOptimizer", "exclude_from_weight_decay=['(']",
      ValueError,
      lambda e: bert.AdamWeightDecayOptimizer(
          0.1, weight_decay_rate=0.01, exclude_from_weight_decay=["("]),
      shows="exclude_from_weight_decay=['(']"),
    c("compose.constant", "value=<int32 Tensor>", TypeError,
      lambda e: compose.constant(e["lr"]), prepare=_int_tensor,
      argument="value", shows="value=<tf."),
    c("compose.stepwise", "dtype=tf.int32", TypeError,
      lambda e: compose.stepwise([10], [1.0, 0.5], dtype=tf.int32)),
    c("compose.stepwise", "values=0.5", TypeError,
      lambda e: compose.stepwise([1], 0.5)),
    c(f"{W}.manual_stepping", "boundaries=5", TypeError,
      lambda e: warmup.manual_stepping(None, 5, [0.1, 0.01])),
    c(f"{W}.manual_stepping", "rates=0.1 (not a list)", TypeError,
      lambda e: warmup.manual_stepping(None, [5], 0.1),
      shows="rates=0.1"),
    c("step_fns.piecewise_constant_fn", "boundaries=[5, 5] (at creation)",
      ValueError,
      lambda e: step_fns.piecewise_constant_fn([5, 5], [1.0, 0.5, 0.1]),
      where="piecewise_constant", argument="boundaries",
      shows="boundaries=[5, 5]"),
    c("step_fns.noisy_linear_cosine_decay_fn", "seed=1.5 (at creation)",
      TypeError,
      lambda e: step_fns.noisy_linear_cosine_decay_fn(0.1, 10, seed=1.5),
      where="noisy_linear_cosine_decay", argument="seed", shows="seed=1.5"),
    c(f"{K}.PiecewiseConstant", "boundaries=[5, 5] (at creation)",
      ValueError,
      lambda e: keras_schedules.PiecewiseConstant([5, 5], [1.0, 0.5, 0.1]),
      argument="boundaries", shows="boundaries=[5, 5]"),
    c("finetune.select_variables", "variables=[5] (not a variable)",
      TypeError, lambda e: finetune.select_variables([5]),
      shows="variables=[5]"),
    c("finetune.resolve_checkpoint", "train_dir=5", TypeError,
      lambda e: finetune.resolve_checkpoint(e["path"], train_dir=5),
      prepare=_missing_dir),
    c("finetune.scaffold_from_checkpoint", "train_dir=5", TypeError,
      lambda e: finetune.scaffold_from_checkpoint(e["path"], train_dir=5),
      prepare=_missing_dir, modes=GRAPH),
    c("finetune.scaffold_from_checkpoint", "scaffold_kwargs=[]", TypeError,
      lambda e: finetune.scaffold_from_checkpoint(e["path"],
                                                  scaffold_kwargs=[]),
      prepare=_missing_dir, modes=GRAPH),
]

# Further rows, one file per layer (`bad_input_cases_<layer>.py`, each a
# `CASES` list built with `c`), so the layers' rows are kept apart.
for _layer in ("schedules", "optim", "keras", "tools", "legacy"):
    try:
        _more = importlib.import_module(f"tests.bad_input_cases_{_layer}")
    except ModuleNotFoundError as _error:
        if _error.name != f"tests.bad_input_cases_{_layer}":
            raise
    else:
        CASES += _more.CASES


def module_of(case):
    return case.function.split(".")[0]
