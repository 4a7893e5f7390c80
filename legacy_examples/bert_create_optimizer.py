r"""Seed 000: BERT's `create_optimizer` driving a `sess.run(train_op)` loop.

    python legacy_examples/bert_create_optimizer.py \
        --steps 1000 --logdir ./summary

A tiny BERT-style classifier (dense `kernel`/`bias`, `LayerNorm`, then
`output_weights`/`output_bias` as in `run_classifier.py`) on synthetic data.
`optimization.create_optimizer(loss, init_lr, num_train_steps,
num_warmup_steps, use_tpu)` -> `tf1_schedules.optim.bert.create_optimizer`: the
same warmup + linear decay, `clip_by_global_norm(1.0)` and
`AdamWeightDecayOptimizer` (no weight decay on `LayerNorm` and `bias`), with
`global_step` incremented exactly once per step (BERT's extra
`global_step + 1` is not needed and must not be added).
"""
import tensorflow.compat.v1 as tf

from tf1_schedules.optim.bert import create_optimizer
from tf1_schedules.schedules.bert_curve import bert_learning_rate
from _common import batches, parse_args, session_loop, toy_classification

init_lr = 5e-3
hidden_size = 32


def create_model(features, labels, num_labels):
    with tf.variable_scope("bert/encoder/dense"):
        kernel = tf.get_variable("kernel", [features.shape[1], hidden_size])
        bias = tf.get_variable("bias", [hidden_size],
                               initializer=tf.zeros_initializer())
    with tf.variable_scope("bert/encoder"):
        hidden = tf.nn.tanh(tf.matmul(features, kernel) + bias)
        mean, variance = tf.nn.moments(hidden, [-1], keepdims=True)
        with tf.variable_scope("LayerNorm"):
            gamma = tf.get_variable("gamma", [hidden_size],
                                    initializer=tf.ones_initializer())
            beta = tf.get_variable("beta", [hidden_size],
                                   initializer=tf.zeros_initializer())
        hidden = (hidden - mean) * tf.rsqrt(variance + 1e-12) * gamma + beta
    output_weights = tf.get_variable(
        "output_weights", [num_labels, hidden_size],
        initializer=tf.truncated_normal_initializer(stddev=0.02))
    output_bias = tf.get_variable("output_bias", [num_labels],
                                  initializer=tf.zeros_initializer())
    logits = tf.matmul(hidden, output_weights, transpose_b=True) + output_bias
    return tf.losses.sparse_softmax_cross_entropy(labels, logits)


def main(argv=None):
    args = parse_args(__doc__, 1000, argv)
    num_train_steps = args.steps
    num_warmup_steps = int(0.1 * num_train_steps)  # run_classifier's 10%
    x, y = toy_classification()
    with tf.Graph().as_default():
        features = tf.placeholder(tf.float32, [None, x.shape[1]])
        labels = tf.placeholder(tf.int64, [None])
        loss = create_model(features, labels, num_labels=3)
        train_op = create_optimizer(loss, init_lr, num_train_steps,
                                    num_warmup_steps, use_tpu=False)
        # The curve create_optimizer follows, for TensorBoard.
        tf.summary.scalar("learning_rate", bert_learning_rate(
            init_lr, tf.train.get_global_step(), num_train_steps,
            num_warmup_steps))
        tf.summary.scalar("loss", loss)
        batch = batches(x, y, batch_size=32)
        session_loop("bert_create_optimizer", train_op, args,
                     feed_fn=lambda step: dict(zip((features, labels),
                                                   batch(step))))


if __name__ == "__main__":
    main()
