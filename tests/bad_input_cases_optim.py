"""Catalogue rows for the optimizers and fine-tuning (issue 14).

Imported at the end of `tests/bad_input_cases.py`; every row runs in
`tests/test_bad_input.py` (graph and/or eager mode: nothing may be built by
the rejected call, and the message has the project's shape).
"""
import os
import tempfile

import numpy as np
import tensorflow as tf

from tests.bad_input_cases import GRAPH, c
from tf1_schedules import slim as finetune
from tf1_schedules.optim import bert, groups
from tf1_schedules.optim import grouped as optimizers

_SGD = tf.compat.v1.train.GradientDescentOptimizer
_DATA = ".data-00000-of-00001"


# --------------------------------------------------------------- inputs --

def _net():
    """`net/w`, `net/logits/weights` and a loss of both."""
    w = tf.Variable([1.0, 2.0], name="net/w")
    logits = tf.Variable([0.5], name="net/logits/weights")
    return {"w": w, "logits": logits,
            "loss": lambda: tf.reduce_sum(w * w) + tf.reduce_sum(logits)}


def _graph_net():
    env = _net()
    env["loss"] = env["loss"]()
    return env


def _constant_loss():
    """A loss in a graph without trainable variables."""
    return {"loss": tf.constant(1.0)}


def _checkpoint(damage=None):
    """A checkpoint of `net/w` and `net/logits/weights` (in its own graph),
    optionally damaged; the same variables in the caller's graph."""
    def prepare():
        prefix = os.path.join(tempfile.mkdtemp(prefix="ckpt_"), "model.ckpt")
        with tf.Graph().as_default():
            _net()
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                tf.compat.v1.train.Saver().save(sess, prefix)
        if damage is not None:
            damage(prefix)
        env = _graph_net()
        env["path"] = prefix
        return env

    return prepare


def _rewrite(path, change):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    with open(path, "wb") as f:
        f.write(bytes(change(data)))


def _flip(data):
    data[len(data) // 2] ^= 0xFF
    return data


_DAMAGES = {
    "truncated .data": (lambda p: _rewrite(p + _DATA, lambda d: d[:-4]),
                        _DATA + ": truncated"),
    "byte-flipped .data": (lambda p: _rewrite(p + _DATA, _flip),
                           _DATA + ": unreadable tensor"),
    "missing .data": (lambda p: os.remove(p + _DATA),
                      _DATA + ": missing data file"),
    "truncated .index": (lambda p: _rewrite(p + ".index",
                                            lambda d: d[:20]),
                         ".index: unreadable index"),
    "random .index": (lambda p: _rewrite(p + ".index", lambda d: bytearray(
        np.random.default_rng(0).bytes(len(d)))), ".index: unreadable index"),
}


def _restore_rows():
    rows = []
    for given, (damage, shows) in _DAMAGES.items():
        rows.append(c(
            "finetune.variables_to_restore", f"checkpoint_path=<{given}>",
            ValueError, lambda e: finetune.variables_to_restore(e["path"]),
            prepare=_checkpoint(damage), shows=shows, modes=GRAPH))
    rows.append(c(
        "finetune.init_fn_from_checkpoint",
        "checkpoint_path=<truncated .data>", ValueError,
        lambda e: finetune.init_fn_from_checkpoint(e["path"], print_fn=None),
        prepare=_checkpoint(_DAMAGES["truncated .data"][0]),
        shows=_DAMAGES["truncated .data"][1], where="variables_to_restore",
        modes=GRAPH))
    return rows


# ----------------------------------------------------------------- rows --

CASES = [
    # AdamWeightDecayOptimizer: 0 / (sqrt(0) + 0) is NaN
    c("bert.AdamWeightDecayOptimizer", "epsilon=0", ValueError,
      lambda e: bert.AdamWeightDecayOptimizer(0.1, epsilon=0)),
    c("bert.AdamWeightDecayOptimizer", "epsilon=1e-50", ValueError,
      lambda e: bert.AdamWeightDecayOptimizer(0.1, epsilon=1e-50)),
    # the loss
    c("bert.create_optimizer", "loss=None", TypeError,
      lambda e: bert.create_optimizer(None, 1e-4, 100, 10),
      prepare=_graph_net, modes=GRAPH),
    c("bert.create_optimizer", "loss='x'", TypeError,
      lambda e: bert.create_optimizer("x", 1e-4, 100, 10),
      prepare=_graph_net, modes=GRAPH),
    c("bert.create_optimizer", "loss=<no trainable variables>", ValueError,
      lambda e: bert.create_optimizer(e["loss"], 1e-4, 100, 10),
      prepare=_constant_loss, shows="loss=<tf.Tensor", argument="loss",
      modes=GRAPH),
    c("optimizers.minimize_groups", "loss=None", TypeError,
      lambda e: optimizers.minimize_groups(
          None, [groups.Group("net")], learning_rate=0.1, optimizer_fn=_SGD),
      prepare=_graph_net, modes=GRAPH),
    c("optimizers.minimize_groups", "loss='x'", TypeError,
      lambda e: optimizers.minimize_groups(
          "x", [groups.Group("net")], learning_rate=0.1, optimizer_fn=_SGD),
      prepare=_graph_net, modes=GRAPH),
    c("optimizers.minimize_groups", "loss=<no trainable variables>",
      ValueError,
      lambda e: optimizers.minimize_groups(
          e["loss"], [groups.Group("net")], learning_rate=0.1,
          optimizer_fn=_SGD),
      prepare=_constant_loss, shows="loss=<tf.Tensor", argument="loss",
      modes=GRAPH),
    c("optimizers.GroupedOptimizer.minimize", "loss=None", TypeError,
      lambda e: optimizers.GroupedOptimizer(
          [groups.Group("net")], learning_rate=0.1, optimizer_fn=_SGD
      ).minimize(None, var_list=[e["w"], e["logits"]]),
      prepare=_net, where="GroupedOptimizer.minimize"),
    # use_tpu=True outside a TPU context (the seed's manual_fp16, 5th)
    c("bert.create_optimizer", "use_tpu=True (5th positional)", ValueError,
      lambda e: bert.create_optimizer(e["loss"], 1e-4, 100, 10, True),
      prepare=_graph_net, shows="The 5th positional argument is upstream "
      "BERT's `use_tpu`", modes=GRAPH),
    c("bert.bert_optimizer", "use_tpu=True", ValueError,
      lambda e: bert.bert_optimizer(1e-4, 100, 10, True)),
    # fine-tuning: scopes that match nothing
    c("finetune.variables_to_train", "trainable_scopes='net/nonexistent'",
      ValueError, lambda e: finetune.variables_to_train(
          "net/nonexistent", variables=[e["w"], e["logits"]]),
      prepare=_net),
    c("finetune.variables_to_train", "unmatched=1", TypeError,
      lambda e: finetune.variables_to_train("net", variables=[],
                                            unmatched=1)),
    c("finetune.select_variables", "exclude_scopes='net/logit'",
      ValueError, lambda e: finetune.select_variables(
          [e["w"], e["logits"]], None, "net/logit"),
      prepare=_net, shows="'net/logit' matches none, nearest: "
      "'net/logits'"),
    c("finetune.variables_to_restore",
      "checkpoint_exclude_scopes='net/logit'", ValueError,
      lambda e: finetune.variables_to_restore(e["path"], "net/logit"),
      prepare=_checkpoint(), shows="'net/logit' matches none, nearest: "
      "'net/logits'", modes=GRAPH),
    c("finetune.variables_to_restore", "unmatched='nope'", ValueError,
      lambda e: finetune.variables_to_restore(e["path"], unmatched="nope"),
      prepare=_checkpoint(), modes=GRAPH),
    c("finetune.variables_to_restore", "global_step='my_step'", TypeError,
      lambda e: finetune.variables_to_restore(e["path"],
                                              global_step="my_step"),
      prepare=_checkpoint(), modes=GRAPH),
    # fine-tuning: broken checkpoint files, found when the plan is made
    *_restore_rows(),
    # errors name the function the user called, not the Group it builds
    c("groups.layer_decay_groups", "layers=[5]", TypeError,
      lambda e: groups.layer_decay_groups([5], 0.5), shows="layers=5"),
    c("groups.Group", "learning_rate=-0.1", ValueError,
      lambda e: groups.Group("net", learning_rate=-0.1)),
]
