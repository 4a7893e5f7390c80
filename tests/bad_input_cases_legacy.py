"""Catalogue rows of `tensorflow.contrib`'s optimizers and `HParams` (issue 10):
TF1's constructors, checked before anything is built (see
`tests/bad_input_cases.py` for the row format)."""
import tensorflow as tf

from tests.bad_input_cases import c
from tf1_schedules.legacy.hparams import HParams
from tf1_schedules.optim.loss_scale_manager import (
    ExponentialUpdateLossScaleManager, FixedLossScaleManager,
    LossScaleOptimizer)
from tf1_schedules.optim.moving_average import MovingAverageOptimizer
from tf1_schedules.optim.weight_decay import (
    AdamWOptimizer, MomentumWOptimizer, extend_with_decoupled_weight_decay)

_SGD = tf.compat.v1.train.GradientDescentOptimizer
_EXP = "mixed_precision.ExponentialUpdateLossScaleManager"


def _exp(**kwargs):
    arguments = dict(init_loss_scale=2.0 ** 15, incr_every_n_steps=1000)
    arguments.update(kwargs)
    return lambda e: ExponentialUpdateLossScaleManager(**arguments)


CASES = [
    # opt: decoupled weight decay
    c("opt.AdamWOptimizer", "weight_decay=-0.1", ValueError,
      lambda e: AdamWOptimizer(-0.1)),
    c("opt.AdamWOptimizer", "weight_decay='1e-4'", TypeError,
      lambda e: AdamWOptimizer("1e-4")),
    c("opt.AdamWOptimizer", "learning_rate=nan", ValueError,
      lambda e: AdamWOptimizer(1e-4, learning_rate=float("nan"))),
    c("opt.AdamWOptimizer", "beta1=1.5", ValueError,
      lambda e: AdamWOptimizer(1e-4, beta1=1.5)),
    c("opt.AdamWOptimizer", "beta2=-0.1", ValueError,
      lambda e: AdamWOptimizer(1e-4, beta2=-0.1)),
    c("opt.AdamWOptimizer", "epsilon=-1e-08", ValueError,
      lambda e: AdamWOptimizer(1e-4, epsilon=-1e-8)),
    c("opt.AdamWOptimizer", "use_locking=1", TypeError,
      lambda e: AdamWOptimizer(1e-4, use_locking=1)),
    c("opt.AdamWOptimizer", "name=''", TypeError,
      lambda e: AdamWOptimizer(1e-4, name="")),
    c("opt.MomentumWOptimizer", "momentum='0.9'", TypeError,
      lambda e: MomentumWOptimizer(1e-4, 0.1, "0.9")),
    c("opt.MomentumWOptimizer", "learning_rate=None", TypeError,
      lambda e: MomentumWOptimizer(1e-4, None, 0.9)),
    c("opt.MomentumWOptimizer", "use_nesterov='yes'", TypeError,
      lambda e: MomentumWOptimizer(1e-4, 0.1, 0.9, use_nesterov="yes")),
    c("opt.extend_with_decoupled_weight_decay", "base_optimizer=5",
      TypeError, lambda e: extend_with_decoupled_weight_decay(5)),
    c("opt.extend_with_decoupled_weight_decay",
      "base_optimizer=<an optimizer object>", TypeError,
      lambda e: extend_with_decoupled_weight_decay(_SGD(0.1)),
      shows="base_optimizer=<", argument="base_optimizer"),
    c("opt.OptimizerWithDecoupledWeightDecay", "weight_decay=inf",
      ValueError,
      lambda e: extend_with_decoupled_weight_decay(_SGD)(float("inf"), 0.1)),
    # opt: moving averages
    c("opt.MovingAverageOptimizer", "opt=None", TypeError,
      lambda e: MovingAverageOptimizer(None)),
    c("opt.MovingAverageOptimizer", "average_decay=1.5", ValueError,
      lambda e: MovingAverageOptimizer(_SGD(0.1), average_decay=1.5)),
    c("opt.MovingAverageOptimizer", "num_updates=-1", ValueError,
      lambda e: MovingAverageOptimizer(_SGD(0.1), num_updates=-1)),
    c("opt.MovingAverageOptimizer", "sequential_update=1", TypeError,
      lambda e: MovingAverageOptimizer(_SGD(0.1), sequential_update=1)),
    # mixed_precision: loss-scale managers and optimizer
    c("mixed_precision.FixedLossScaleManager", "loss_scale=0.5", ValueError,
      lambda e: FixedLossScaleManager(0.5)),
    c("mixed_precision.FixedLossScaleManager", "loss_scale='128'", TypeError,
      lambda e: FixedLossScaleManager("128")),
    c(_EXP, "init_loss_scale=0", ValueError, _exp(init_loss_scale=0)),
    c(_EXP, "init_loss_scale=inf", ValueError,
      _exp(init_loss_scale=float("inf"))),
    c(_EXP, "incr_every_n_steps=0", ValueError, _exp(incr_every_n_steps=0)),
    c(_EXP, "incr_every_n_steps=1.5", TypeError,
      _exp(incr_every_n_steps=1.5)),
    c(_EXP, "decr_every_n_nan_or_inf=0", ValueError,
      _exp(decr_every_n_nan_or_inf=0)),
    c(_EXP, "incr_ratio=0.5", ValueError, _exp(incr_ratio=0.5)),
    c(_EXP, "decr_ratio=1.5", ValueError, _exp(decr_ratio=1.5)),
    c(_EXP, "decr_ratio=0", ValueError, _exp(decr_ratio=0)),
    c("mixed_precision.LossScaleOptimizer", "opt='adam'", TypeError,
      lambda e: LossScaleOptimizer("adam", FixedLossScaleManager(8))),
    c("mixed_precision.LossScaleOptimizer", "loss_scale_manager=128",
      TypeError, lambda e: LossScaleOptimizer(_SGD(0.1), 128)),
    # training: HParams
    c("training.HParams", "hparam_def=b'proto'", TypeError,
      lambda e: HParams(hparam_def=b"proto")),
    c("training.HParams.parse", "values=None", TypeError,
      lambda e: HParams(a=1).parse(None)),
]
