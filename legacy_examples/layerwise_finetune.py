r"""Seed 003: restore a pretrained slim model without its last layer, then
train each layer with its own learning rate.

    python legacy_examples/layerwise_finetune.py \
        --steps 300 --logdir ./summary \
        [--layer-decay 0.5]

The seed's recipe, hand-written:

    variables_to_restore = [v for v in slim.get_model_variables()
                            if not v.op.name.startswith(fine_tune_layers)]
    train_op1 = GradientDescentOptimizer(1e-5).minimize(loss, var_list=var1)
    train_op2 = GradientDescentOptimizer(1e-4).minimize(loss, var_list=var2)
    train_op = tf.group(train_op1, train_op2)

with tf1_schedules: `finetune.init_fn_from_checkpoint` (scope-boundary
matching, shape checks, no optimizer slots or global step restored) and
`optimizers.minimize_groups` (one backward pass, `global_step` incremented
once) with `groups.layer_decay_groups`: the last layer at the base learning
rate (`exponential_decay(0.1, global_step, 100, 0.96, staircase=True)`, the
seed's example), each earlier layer `--layer-decay` times slower.
"""
import os

import tensorflow.compat.v1 as tf

import tf1_schedules
import tf1_schedules.slim_compat  # noqa: F401  (makes tf_slim work on TF 2.x)
from tf1_schedules import slim as finetune
from tf1_schedules.optim.groups import layer_decay_groups, slim_blocks
from tf1_schedules.optim.grouped import minimize_groups
import tf_slim as slim
from _common import batches, parse_args, session_loop, toy_classification

fine_tune_layers = "net/logits"


def add_flags(parser):
    parser.add_argument("--layer-decay", type=float, default=0.5)


def net(features, num_classes):
    with tf.variable_scope("net"):
        hidden = slim.fully_connected(features, 32, scope="fc1")
        hidden = slim.fully_connected(hidden, 32, scope="fc2")
        return slim.fully_connected(hidden, num_classes, activation_fn=None,
                                    scope="logits")


def pretrain(x, y, checkpoint_dir, steps=100):
    """The 'pretrained model': 10 classes, plain GradientDescent."""
    with tf.Graph().as_default():
        loss = tf.losses.sparse_softmax_cross_entropy(y, net(x, 10))
        global_step = tf.train.get_or_create_global_step()
        learning_rate = tf1_schedules.exponential_decay(0.1, global_step, 100,
                                                        0.96, staircase=True)
        learning_step = tf.train.GradientDescentOptimizer(
            learning_rate).minimize(loss, global_step=global_step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(learning_step)
            return tf.train.Saver().save(
                sess, os.path.join(checkpoint_dir, "model.ckpt"), global_step)


def main(argv=None):
    args = parse_args(__doc__, 300, argv, add_flags)
    x, y = toy_classification(num_classes=10, seed=1)
    checkpoint = pretrain(x, y, os.path.join(args.logdir,
                                             "layerwise_pretrained"))
    x, y = toy_classification(num_classes=3, seed=2)
    with tf.Graph().as_default():
        features = tf.placeholder(tf.float32, [None, x.shape[1]])
        labels = tf.placeholder(tf.int64, [None])
        loss = tf.losses.sparse_softmax_cross_entropy(labels,
                                                      net(features, 3))
        init_fn = finetune.init_fn_from_checkpoint(checkpoint,
                                                   fine_tune_layers)
        global_step = tf.train.get_or_create_global_step()
        learning_rate = tf1_schedules.exponential_decay(
            0.1, global_step, 100, 0.96, staircase=True)
        groups = layer_decay_groups(slim_blocks("net"), args.layer_decay)
        train_op = minimize_groups(
            loss, groups, optimizer_fn=tf.train.GradientDescentOptimizer,
            learning_rate=learning_rate)
        for group in groups:
            tf.summary.scalar(f"learning_rate/{group.name}",
                              learning_rate * group.multiplier)
        tf.summary.scalar("loss", loss)
        batch = batches(x, y, batch_size=32)
        session_loop("layerwise_finetune", train_op, args,
                     feed_fn=lambda step: dict(zip((features, labels),
                                                   batch(step))),
                     init_fn=init_fn)


if __name__ == "__main__":
    main()
