"""Benchmark: fine-tune restore planning on slim resnet_v1_50 (32x32, 10-class head).

Builds a 1000-class resnet_v1_50 checkpoint, then a 10-class model with a Momentum
train op, and times `finetune.variables_to_restore` (planning), the Saver build and
the restore; also shows the shape error raised when the logits are not excluded.

    python scripts/bench_finetune.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tempfile
import time

import tensorflow as tf
import tf1_schedules.slim_compat  # noqa: F401  (tf-slim nets on TF 2.16+)
from tf1_schedules import slim as finetune
import tf_slim as slim
from tf_slim.nets import resnet_v1, resnet_utils
v1 = tf.compat.v1
d = tempfile.mkdtemp()
def build(n):
    x = tf.zeros([2, 32, 32, 3])
    with slim.arg_scope(resnet_utils.resnet_arg_scope()):
        logits, _ = resnet_v1.resnet_v1_50(x, num_classes=n)
    return logits
with tf.Graph().as_default():
    build(1000)
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        v1.train.Saver().save(s, d + "/model.ckpt")
with tf.Graph().as_default():
    logits = build(10)
    loss = tf.reduce_mean(logits)
    v1.train.get_or_create_global_step()
    op = slim.learning.create_train_op(loss, v1.train.MomentumOptimizer(0.1, 0.9))
    print("global vars", len(v1.global_variables()))
    try:
        finetune.variables_to_restore(d)
    except ValueError as e:
        print(str(e).splitlines()[0]); print(str(e).splitlines()[1])
    t = time.perf_counter(); plan = finetune.variables_to_restore(d, "resnet_v1_50/logits"); t1 = time.perf_counter() - t
    print("plan s", round(t1, 3), len(plan.restore), len(plan.skipped), len(plan.excluded))
    t = time.perf_counter(); fn = plan.init_fn(); t2 = time.perf_counter() - t
    with v1.Session() as s:
        s.run(v1.global_variables_initializer())
        t = time.perf_counter(); fn(s); t3 = time.perf_counter() - t
    print("saver build s", round(t2, 3), "restore s", round(t3, 3))
    print(plan.report().splitlines()[0])
