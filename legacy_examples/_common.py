"""What the legacy examples share: their flags and the TF1 `Session` loop.

Every example takes `--steps N --logdir DIR [--summary-every K]` and writes
TensorBoard events under `DIR/<example name>`, as the seed scripts did
(`tf.summary.FileWriter(os.path.join(summary_path, method))`).
"""
import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow.compat.v1 as tf  # noqa: E402


def parse_args(description, default_steps, argv=None, add_flags=None):
    """`--steps`, `--logdir`, `--summary-every`, plus `add_flags(parser)`."""
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=default_steps,
                        help=f"training steps (default {default_steps})")
    parser.add_argument("--logdir", default="./summary",
                        help="TensorBoard root directory (default ./summary)")
    parser.add_argument("--summary-every", type=int, default=10,
                        help="write summaries every K steps (default 10)")
    if add_flags is not None:
        add_flags(parser)
    args = parser.parse_args(argv)
    if args.steps < 1 or args.summary_every < 1:
        parser.error("--steps and --summary-every must be >= 1")
    return args


def session_loop(method, train_op, args, feed_fn=None, init_fn=None):
    """The seed's loop: summaries every `--summary-every` steps, then
    `sess.run(train_op)`, for `--steps` steps (graph mode).

    Args:
      method: run name; events go to `args.logdir/method`.
      train_op: the op run once per step (it increments the global step).
      feed_fn: optional `feed_fn(step) -> feed_dict` (input batches).
      init_fn: optional `init_fn(sess)` run after the initializers (restore).

    Returns:
      The event directory.
    """
    global_step = tf.train.get_global_step()
    summary_op = tf.summary.merge_all()
    logdir = os.path.join(args.logdir, method)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        if init_fn is not None:
            init_fn(sess)
        writer = tf.summary.FileWriter(logdir, sess.graph)
        for step in range(args.steps):
            feed = feed_fn(step) if feed_fn is not None else None
            if step % args.summary_every == 0:
                # Read before the step: the values this step trains with.
                summary, gs = sess.run([summary_op, global_step], feed)
                writer.add_summary(summary, global_step=gs)
            sess.run(train_op, feed)
        writer.close()
    print(f"{method}: {args.steps} steps; events in {logdir}")
    return logdir


def run_schedules(method, build, description, argv=None):
    """The `main()` of the seed's validation scripts (seed 002).

    `build(global_step) -> {tag: learning-rate Tensor}`; each becomes a
    scalar summary. The seed fed the step (`feed_dict={global_step_op:
    step}`), which only works with TF1 reference variables; here a train op
    increments the global step once per step instead, as training would.
    Default: the seed's 20000 steps.
    """
    args = parse_args(description, 20000, argv)
    with tf.Graph().as_default():
        global_step = tf.train.get_or_create_global_step()
        # Schedules named like their tags: keep their ops out of the way so
        # that the summary tags are not uniquified (`..._1`).
        with tf.name_scope("schedules"):
            learning_rates = build(global_step)
        for tag, learning_rate in learning_rates.items():
            tf.summary.scalar(tag, learning_rate)
        train_op = tf.assign_add(global_step, 1)
        return session_loop(method, train_op, args)


def batches(x, y, batch_size, seed=0):
    """`feed_fn` helper: step -> the step's mini-batch of (x, y), shuffled
    once per epoch."""
    import numpy as np

    rng = np.random.RandomState(seed)
    per_epoch = len(x) // batch_size
    orders = {}

    def batch(step):
        epoch, index = divmod(step, per_epoch)
        if epoch not in orders:
            orders.clear()
            orders[epoch] = rng.permutation(len(x))
        idx = orders[epoch][index * batch_size:(index + 1) * batch_size]
        return x[idx], y[idx]

    return batch


def toy_classification(num_examples=512, num_features=16, num_classes=3,
                       seed=0):
    """Synthetic data: labels from a fixed random linear teacher."""
    import numpy as np

    rng = np.random.RandomState(seed)
    x = rng.randn(num_examples, num_features).astype(np.float32)
    teacher = rng.randn(num_features, num_classes)
    return x, np.argmax(x @ teacher, axis=1).astype(np.int64)
