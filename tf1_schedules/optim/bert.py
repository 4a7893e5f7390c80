"""BERT's optimizer recipe: `create_optimizer` and `AdamWeightDecayOptimizer`.

`google-research/bert:optimization.py` on today's TF, graph mode first:

    train_op = create_optimizer(loss, init_lr=2e-5, num_train_steps=1000,
                                num_warmup_steps=100)
    for _ in range(1000):
        sess.run(train_op)

Same learning-rate curve (linear warmup from 0, then the polynomial decay
counted from step 0, so it drops at the end of warmup), same
`clip_by_global_norm(1.0)`, same `AdamWeightDecayOptimizer` (update rule,
slot names `<variable>/adam_m`, `<variable>/adam_v`, exclusions
`LayerNorm`, `layer_norm`, `bias`), so an existing BERT checkpoint resumes.

Differences from BERT: `global_step` is incremented exactly once per run,
after the update (BERT's `tf.group(train_op, global_step.assign(gs + 1))`
is unordered: some runs read the incremented step); `UPDATE_OPS` run with
the step; no int32 step casts (correct past 2**31); keyword-only options for
a continuous warmup-then-decay curve (`continuous=True`) and float16 dynamic
loss scaling (`manual_fp16=True`); `use_tpu=True` outside a TPU context and
a `loss` that is not a floating-point Tensor raise at build time.
"""
import functools
import re

import numpy as np
import tensorflow as tf

from tf1_schedules import _checks as checks
from tf1_schedules._variables import name_of
from tf1_schedules.schedules import compose
from tf1_schedules.schedules.bert_curve import bert_curve
from tf1_schedules.optim.groups import Group
from tf1_schedules.optim.loss_scale import DynamicLossScale
from tf1_schedules.optim.grouped import (GroupedOptimizer, check_loss,
                                         check_trainable)

__all__ = [
    "AdamWeightDecayOptimizer",
    "bert_optimizer",
    "create_optimizer",
]

# BERT's `exclude_from_weight_decay`.
BERT_EXCLUDE_FROM_WEIGHT_DECAY = ("LayerNorm", "layer_norm", "bias")


class AdamWeightDecayOptimizer(tf.compat.v1.train.Optimizer):
    """BERT's Adam with decoupled weight decay (no bias correction).

    Per variable `p` with gradient `g` (slots `m`, `v` start at zero):

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g ** 2
        update = m / (sqrt(v) + epsilon)
        update += weight_decay_rate * p     # unless excluded, see below
        p = p - learning_rate * update

    Weight decay is off when `weight_decay_rate == 0` or when any pattern of
    `exclude_from_weight_decay` is found (`re.search`) in the variable name
    without `:0` (so `"bias"` also excludes `dense/biases`, as in BERT).

    dtypes: a float32 or float64 variable is updated in its own dtype (its
    slots too); a float16 or bfloat16 variable gets float32 slots, its
    update is computed in float32 and the new value cast back
    (`p16 = float16(float32(p16) - lr * update)`). The learning rate is cast
    to the computation dtype.

    Args:
      learning_rate: a float, a Tensor, or a zero-argument callable
        (a tf1_schedules schedule in eager mode).
      weight_decay_rate: number >= 0.
      beta_1, beta_2: numbers in [0, 1).
      epsilon: number > 0 (0 gives NaN weights where the gradient is 0).
      exclude_from_weight_decay: None or a list of regex strings.
      name: the optimizer name (name scope of its ops).

    Differences from BERT:
      * `global_step`, when passed to `apply_gradients`/`minimize`, is
        incremented once after all updates, as by every TF1 optimizer (BERT's
        ignored it and `create_optimizer` added a manual, unordered
        `global_step + 1`). Do not keep that manual increment next to it.
      * A second instance over the same variable names its slots
        `<variable>/adam_m_1` (as TF names Adam's `Adam_1`) instead of raising
        BERT's "Variable .../adam_m already exists" error, so per-group
        optimizers can share a graph.
      * float64, float16 and bfloat16 variables are supported (BERT's
        update fails with a dtype error in `Mul`), see "dtypes" above.
      * `epsilon` must be > 0 (BERT accepts 0 and writes NaN weights
        wherever a gradient is 0).
      * Sparse gradients (`tf.gather`, embeddings) are applied densely, as
        BERT's arithmetic on `IndexedSlices` did, without the dense-conversion
        warning.
    """

    def __init__(self, learning_rate, weight_decay_rate=0.0, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-6, exclude_from_weight_decay=None,
                 name="AdamWeightDecayOptimizer"):
        fn = "AdamWeightDecayOptimizer"
        if not callable(learning_rate):
            learning_rate = checks.check_learning_rate(fn, learning_rate)
        checks.check_number(fn, "weight_decay_rate", weight_decay_rate, low=0)
        for arg, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            checks.check_number(fn, arg, value, low=0, high=1)
            if checks.static_number(value) == 1:
                checks.fail(fn, arg, "< 1", value)
        _check_epsilon(fn, epsilon)
        self.exclude_from_weight_decay = _check_patterns(
            fn, exclude_from_weight_decay)
        if not isinstance(name, str) or not name:
            checks.fail(fn, "name", "a non-empty string", name, TypeError)
        super().__init__(use_locking=False, name=name)
        self.learning_rate = learning_rate
        self.weight_decay_rate = weight_decay_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _create_slots(self, var_list):
        # TF's slot creator names the slot `<variable>/<op_name>`, BERT's
        # `adam_m`/`adam_v` (`adam_m_1` for a second optimizer). A custom
        # getter on the current scope (restored after) sets the slots'
        # distribution policy; re-entering the scope would reset TF's
        # name de-duplication.
        scope = tf.compat.v1.get_variable_scope()
        previous = scope.custom_getter
        scope.set_custom_getter(_slot_getter if previous is None else
                                functools.partial(_outer_getter, previous))
        try:
            for var in var_list:
                for slot in ("adam_m", "adam_v"):
                    self._make_slot(var, slot)
        finally:
            scope.set_custom_getter(previous)

    def _make_slot(self, var, slot):
        dtype = compute_dtype(var.dtype)
        if dtype == var.dtype.base_dtype:
            return self._zeros_slot(var, slot, slot)
        # float16 / bfloat16 variables keep float32 moments: `v` holds
        # `g ** 2`, which underflows to 0 in float16 for |g| < 2.4e-4.
        return self._get_or_make_slot_with_initializer(
            var, tf.compat.v1.zeros_initializer(), var.shape, dtype, slot,
            slot)

    def _prepare(self):
        learning_rate = self._call_if_callable(self.learning_rate)
        # A plain number is kept exact for float64 variables (a float32
        # tensor cast to float64 would be off by ~1e-8 relative).
        self._learning_rate_number = (
            None if checks.is_tensor(learning_rate) else learning_rate)
        self._learning_rate_t = tf.convert_to_tensor(
            learning_rate, name="learning_rate")

    def _decays(self, var):
        if checks.static_number(self.weight_decay_rate) == 0:
            return False
        name = name_of(var)
        return not any(re.search(p, name)
                       for p in self.exclude_from_weight_decay or ())

    def _apply_dense(self, grad, var):
        m = self.get_slot(var, "adam_m")
        v = self.get_slot(var, "adam_v")
        dtype = m.dtype.base_dtype  # the variable's, float32 for halves
        grad = tf.cast(grad, dtype)
        param = tf.cast(var, dtype)
        beta_1, beta_2, epsilon, decay_rate = (_as(x, dtype) for x in (
            self.beta_1, self.beta_2, self.epsilon, self.weight_decay_rate))
        # `1.0 - beta` in Python first, as BERT, so float32 is bit-identical.
        next_m = (tf.multiply(beta_1, m)
                  + tf.multiply(_as(1.0 - self.beta_1, dtype), grad))
        next_v = (tf.multiply(beta_2, v)
                  + tf.multiply(_as(1.0 - self.beta_2, dtype),
                                tf.square(grad)))
        update = next_m / (tf.sqrt(next_v) + epsilon)
        if self._decays(var):
            update += decay_rate * param
        learning_rate = (tf.cast(self._learning_rate_t, dtype)
                         if self._learning_rate_number is None
                         else _as(self._learning_rate_number, dtype))
        next_param = tf.cast(param - learning_rate * update,
                             var.dtype.base_dtype)
        return tf.group(tf.compat.v1.assign(var, next_param),
                        tf.compat.v1.assign(m, next_m),
                        tf.compat.v1.assign(v, next_v))

    def _resource_apply_dense(self, grad, handle):
        return self._apply_dense(grad, handle)

    def _apply_sparse(self, grad, var):
        return self._apply_dense(tf.convert_to_tensor(grad), var)

    def _resource_apply_sparse(self, grad, handle, indices):
        # Called with de-duplicated indices; BERT's dense arithmetic decays
        # every row of `m` and `v`, so the update is applied densely.
        dense = tf.scatter_nd(tf.expand_dims(indices, -1), grad,
                              tf.shape(handle, out_type=indices.dtype))
        return self._apply_dense(dense, handle)


def compute_dtype(dtype):
    """The dtype `AdamWeightDecayOptimizer` computes a variable's update in.

    float32 and float64 variables: their own dtype. float16 and bfloat16:
    float32 (moments and update), the new value cast back to the variable's
    dtype, as mixed-precision training keeps float32 optimizer state.
    """
    dtype = tf.as_dtype(dtype).base_dtype
    if dtype in (tf.float16, tf.bfloat16):
        return tf.float32
    if not dtype.is_floating:
        raise TypeError("AdamWeightDecayOptimizer: `var_list` must be "
                        "floating-point variables. Received: a variable of "
                        f"dtype {dtype.name}.")
    return dtype


def _as(value, dtype):
    """A hyper-parameter (number or Tensor) in the computation dtype."""
    if checks.is_tensor(value):
        return tf.cast(value, dtype)
    return tf.constant(value, dtype)


def _slot_getter(getter, *args, **kwargs):
    """Slots are written identically on every replica: mirrored, averaged."""
    kwargs["synchronization"] = tf.VariableSynchronization.ON_WRITE
    kwargs["aggregation"] = tf.VariableAggregation.MEAN
    return getter(*args, **kwargs)


def _outer_getter(inner, getter, *args, **kwargs):
    return _slot_getter(functools.partial(inner, getter), *args, **kwargs)


def _check_epsilon(fn, epsilon):
    """epsilon > 0, also in float32: `m / (sqrt(v) + 0)` is NaN at g = 0."""
    checks.check_number(fn, "epsilon", epsilon, low=0, low_inclusive=False)
    known = checks.static_number(epsilon)
    if known is not None and np.float32(known) == 0:
        checks.fail(fn, "epsilon", "> 0 in float32 (the smallest computation "
                    "dtype; it rounds to 0 there)", epsilon)


def _check_patterns(fn, patterns):
    if patterns is None:
        return None
    if isinstance(patterns, str) or not all(
            isinstance(p, str) for p in patterns):
        checks.fail(fn, "exclude_from_weight_decay",
                    "None or a list of regex strings", patterns, TypeError)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            checks.fail(fn, "exclude_from_weight_decay", "a list of valid "
                        f"regular expressions ({pattern!r}: {error})",
                        patterns)
    return list(patterns)


# ------------------------------------------------------------ the recipe --

def bert_optimizer(init_lr, num_train_steps, num_warmup_steps, use_tpu=False,
                   *, manual_fp16=False, init_loss_scale=2.0**32,
                   continuous=False, weight_decay_rate=0.01):
    """The optimizer behind `create_optimizer`, for eager mode or tf.function.

    A `GroupedOptimizer` with one group (every trainable variable),
    `AdamWeightDecayOptimizer(warmup.bert_learning_rate(...), weight_decay_rate,
    beta_1=0.9, beta_2=0.999, epsilon=1e-6,
    exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"])`,
    `clip_norm=1.0`, and with `manual_fp16` a `DynamicLossScale`. Build it
    once; call `minimize(loss_fn, var_list=...)` every step (eager mode) or
    once (graph mode). The schedule follows the global step.

    Args:
      init_lr, num_train_steps, num_warmup_steps, use_tpu, manual_fp16,
      init_loss_scale, continuous: as in `create_optimizer`.
      weight_decay_rate: keyword-only number >= 0 (BERT: 0.01).

    Returns:
      A `GroupedOptimizer`.
    """
    return _bert_optimizer("bert_optimizer", init_lr, num_train_steps,
                           num_warmup_steps, use_tpu, manual_fp16,
                           init_loss_scale, continuous, weight_decay_rate)


_TPU_STRATEGIES = (tf.distribute.TPUStrategy,
                   tf.distribute.experimental.TPUStrategy,
                   tf.compat.v1.distribute.experimental.TPUStrategy)

# Where `use_tpu` sits among the positional arguments of each function.
_USE_TPU_POSITION = {"create_optimizer": "5th", "bert_optimizer": "4th"}


def in_tpu_context():
    """True under a TPU strategy or where TPU devices are visible.

    `CrossShardOptimizer`'s `CrossReplicaSum` has no CPU or GPU kernel, so
    anywhere else `use_tpu=True` could only fail when the train op runs.
    (TPUEstimator, BERT's other TPU path, went with `tf.estimator` in
    TF 2.16; today TPU code runs under a TPUStrategy or on a TPU VM.)
    """
    if isinstance(tf.distribute.get_strategy(), _TPU_STRATEGIES):
        return True
    return bool(tf.config.list_logical_devices("TPU"))


def _check_use_tpu(fn, use_tpu):
    use_tpu = checks.check_flag(fn, "use_tpu", use_tpu)
    if use_tpu and not in_tpu_context():
        checks.fail(fn, "use_tpu", "False outside a TPU context (no "
                    "TPUStrategy, no TPU device: CrossShardOptimizer's "
                    "CrossReplicaSum cannot run here). The "
                    f"{_USE_TPU_POSITION[fn]} positional argument is "
                    "upstream BERT's `use_tpu`; for float16 loss scaling "
                    "pass manual_fp16=True by keyword", use_tpu)
    return use_tpu


def _bert_optimizer(fn, init_lr, num_train_steps, num_warmup_steps, use_tpu,
                    manual_fp16, init_loss_scale, continuous,
                    weight_decay_rate):
    """`bert_optimizer`; errors name `fn`, the function the user called."""
    # Every argument is checked before the schedule builds any op (or
    # creates the global step).
    use_tpu = _check_use_tpu(fn, use_tpu)
    manual_fp16 = checks.check_flag(fn, "manual_fp16", manual_fp16)
    checks.check_number(fn, "weight_decay_rate", weight_decay_rate, low=0)
    checks.check_number(fn, "init_loss_scale", init_loss_scale, low=0,
                        low_inclusive=False)
    curve = bert_curve(fn, init_lr, num_train_steps, num_warmup_steps,
                       continuous)
    learning_rate = compose.at_global_step(curve, None,
                                           name="BertLearningRate")
    optimizer = AdamWeightDecayOptimizer(
        learning_rate, weight_decay_rate=weight_decay_rate, beta_1=0.9,
        beta_2=0.999, epsilon=1e-6,
        exclude_from_weight_decay=list(BERT_EXCLUDE_FROM_WEIGHT_DECAY))
    if use_tpu:
        optimizer = tf.compat.v1.tpu.CrossShardOptimizer(optimizer)
    loss_scale = DynamicLossScale(init_loss_scale) if manual_fp16 else None
    return GroupedOptimizer(
        [Group(re.compile(""), optimizer=optimizer, name="all variables")],
        clip_norm=1.0, loss_scale=loss_scale, name="BertOptimizer")


def create_optimizer(loss, init_lr, num_train_steps, num_warmup_steps,
                     use_tpu=False, *, manual_fp16=False,
                     init_loss_scale=2.0**32, continuous=False):
    """BERT's train op: warmup + linear decay, clipping, AdamWeightDecay.

        lr = bert_learning_rate(init_lr, global_step, num_train_steps,
                                num_warmup_steps)
        grads = tf.gradients(loss, trainable_variables)
        grads = tf.clip_by_global_norm(grads, 1.0)
        AdamWeightDecayOptimizer(lr, weight_decay_rate=0.01, ...).apply(grads)
        global_step += 1                       # once, after the update

    Args:
      loss: a scalar Tensor (graph mode, or inside tf.function).
      init_lr: number > 0, the peak learning rate.
      num_train_steps: integer > 0.
      num_warmup_steps: integer >= 0 (None or 0: no warmup).
      use_tpu: bool; wraps the optimizer in
        `tf.compat.v1.tpu.CrossShardOptimizer`. True outside a TPU context
        (no TPUStrategy, no TPU device) raises ValueError at build time;
        code that passed `manual_fp16` as this 5th positional argument
        should pass `manual_fp16=True` by keyword.
      manual_fp16: keyword-only bool; dynamic loss scaling starting at
        `init_loss_scale`: a step whose gradients hold inf or NaN changes no
        variable (and does not advance `global_step`), and halves the scale;
        1000 finite steps in a row double it.
      init_loss_scale: keyword-only number > 0.
      continuous: keyword-only bool; HF-style curve that decays from the end
        of warmup (see `bert_learning_rate`).

    Returns:
      The train op: one update and exactly one `global_step` increment per
      run, plus the graph's `UPDATE_OPS`.

    Raises:
      RuntimeError: in eager mode; build `bert_optimizer(...)` once and call
        its `minimize(loss_fn, var_list=...)` every step.
    """
    if tf.executing_eagerly():
        raise RuntimeError(
            "create_optimizer: `loss` must be a graph Tensor (graph mode or "
            "inside tf.function). In eager mode build bert_optimizer(...) "
            "once and call its minimize(loss_fn, var_list=...) every step.")
    check_loss("create_optimizer", loss, graph_only=True)
    check_trainable("create_optimizer", loss, None)
    optimizer = _bert_optimizer(
        "create_optimizer", init_lr, num_train_steps, num_warmup_steps,
        use_tpu, manual_fp16, init_loss_scale, continuous, 0.01)
    # BERT differentiates with plain `tf.gradients` (no gating).
    return optimizer.minimize(
        loss, gate_gradients=tf.compat.v1.train.Optimizer.GATE_NONE)
