r"""Seed 001: the TF 1.x training recipe, step by step, with a tf1_schedules
learning rate.

    python legacy_examples/tf1_train_loop.py --steps 1000 --logdir ./summary \
        [--schedule polynomial|exponential|cosine] [--warmup-steps 100] \
        [--warmup-shape linear|cosine]

1. (optional) learning-rate schedule   2. (optional) warmup
3. gradients of the trainable variables 4. (optional) gradient clipping
5. choose an optimizer                  6. apply the gradients
7. run the graph once per step

Steps 1-2 replace the seed's hand-written `is_warmup` blend with
`compose.with_warmup` (linear, or "other warmup strategies": a half-cosine
ramp), turned into a TF1 Tensor on the global step by `at_global_step`.
"""
import tensorflow.compat.v1 as tf

from tf1_schedules.schedules import compose
from tf1_schedules.schedules import step_fns
from _common import batches, parse_args, session_loop, toy_classification

SCHEDULES = {
    "polynomial": lambda lr, n: step_fns.polynomial_decay_fn(
        lr, n, end_learning_rate=0.0, power=1.0),
    "exponential": lambda lr, n: step_fns.exponential_decay_fn(
        lr, max(1, n // 10), 0.9, staircase=True),
    "cosine": lambda lr, n: step_fns.cosine_decay_fn(lr, n),
}


def add_flags(parser):
    parser.add_argument("--learning-rate", type=float, default=1e-2)
    parser.add_argument("--schedule", choices=sorted(SCHEDULES),
                        default="polynomial")
    parser.add_argument("--warmup-steps", type=int, default=None,
                        help="default: 10%% of --steps")
    parser.add_argument("--warmup-shape", choices=compose.RAMP_SHAPES,
                        default="linear")


def learning_rate_schedule(global_step, args):
    warmup_steps = (args.steps // 10 if args.warmup_steps is None
                    else args.warmup_steps)
    decayed = SCHEDULES[args.schedule](args.learning_rate,
                                       args.steps - warmup_steps)
    warmed = compose.with_warmup(decayed, warmup_steps,
                                 shape=args.warmup_shape)
    return compose.at_global_step(warmed, global_step,
                                  name=f"{args.schedule}_with_warmup")


def main(argv=None):
    args = parse_args(__doc__, 1000, argv, add_flags)
    x, y = toy_classification()
    with tf.Graph().as_default():
        features = tf.placeholder(tf.float32, [None, x.shape[1]])
        labels = tf.placeholder(tf.int64, [None])
        weights = tf.get_variable("weights", [x.shape[1], 3])
        bias = tf.get_variable("bias", [3], initializer=tf.zeros_initializer())
        loss = tf.losses.sparse_softmax_cross_entropy(
            labels, tf.matmul(features, weights) + bias)
        global_step = tf.train.get_or_create_global_step()
        learning_rate = learning_rate_schedule(global_step, args)    # 1, 2
        tf.summary.scalar("learning_rate", learning_rate)
        tf.summary.scalar("loss", loss)
        tvars = tf.trainable_variables()
        grads = tf.gradients(loss, tvars)                            # 3
        (grads, _) = tf.clip_by_global_norm(grads, clip_norm=1.0)    # 4
        optimizer = tf.train.AdamOptimizer(learning_rate)            # 5
        train_op = optimizer.apply_gradients(                        # 6
            zip(grads, tvars), global_step=global_step)
        batch = batches(x, y, batch_size=32)
        session_loop("tf1_train_loop", train_op, args,                 # 7
                     feed_fn=lambda step: dict(zip((features, labels),
                                                   batch(step))))


if __name__ == "__main__":
    main()
