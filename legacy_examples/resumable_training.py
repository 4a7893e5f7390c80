"""A TF1 training job that survives being killed: resume from its train dir.

    python legacy_examples/resumable_training.py --train_dir DIR --log FILE \
        [--loop session|monitored] [--steps 40] [--pretrained CKPT] \
        [--step_sleep 0.0]

Trains a small linear model with momentum, a `cosine_decay_with_warmup`
learning rate on the global step, and a checkpoint after every step:

  * `--loop session`: a plain `tf.compat.v1.Session` loop with a `Saver`;
  * `--loop monitored`: `MonitoredTrainingSession(checkpoint_dir=DIR)` with
    a `StopAtStepHook`.

Kill it at any moment (even `kill -9`) and start it again with the same
arguments: it restores the latest checkpoint of `--train_dir` (weights,
momentum slots and `global_step`), so the learning rate continues from the
restored step exactly as in an uninterrupted run. With `--pretrained CKPT`
the first start initialises `model/w` from that checkpoint
(`tf1_schedules.slim`, excluding `model/b`); a restart does **not**
re-apply it, because a checkpoint in the train dir wins
(`init_fn_from_checkpoint(..., train_dir=...)` returns None and
`scaffold_from_checkpoint(..., train_dir=...)` has no `init_fn`).

Every step appends `step lr weight_sum` to `--log` (flushed at once) after
the checkpoint of the next step is written; each start appends a line
`# start step=S init=scratch|pretrained|train_dir loop=...`.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

try:
    from tf1_schedules import slim as finetune
    from tf1_schedules.schedules import od as warmup
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from tf1_schedules import slim as finetune
    from tf1_schedules.schedules import od as warmup

v1 = tf.compat.v1
EXCLUDE = "model/b"  # trained from scratch in a fine-tune


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train_dir", required=True)
    parser.add_argument("--log", required=True, help="per-step log file")
    parser.add_argument("--loop", choices=("session", "monitored"),
                        default="session")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--pretrained", default=None,
                        help="checkpoint to fine-tune from (first start)")
    parser.add_argument("--step_sleep", type=float, default=0.0,
                        help="seconds to sleep per step (to be killed)")
    return parser.parse_args(argv)


def build_model(total_steps):
    """Linear regression on fixed data; returns (train_op, lr, weight_sum)."""
    rng = np.random.RandomState(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32) + 0.25
    global_step = v1.train.get_or_create_global_step()
    with v1.variable_scope("model"):
        w = v1.get_variable("w", [4, 1], initializer=v1.zeros_initializer())
        b = v1.get_variable("b", [1], initializer=v1.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(tf.constant(x), w) + b - y))
    lr = warmup.cosine_decay_with_warmup(
        global_step, 0.1, total_steps, warmup_learning_rate=0.01,
        warmup_steps=5)
    optimizer = v1.train.MomentumOptimizer(lr, momentum=0.9)
    train_op = optimizer.minimize(loss, global_step=global_step)
    weight_sum = tf.reduce_sum(tf.cast(w, tf.float64)) + tf.cast(
        tf.reduce_sum(b), tf.float64)
    return train_op, lr, weight_sum


class StepLog:
    """Appends lines to the log, flushed at once (a SIGKILL loses none)."""

    def __init__(self, path):
        self._file = open(path, "a")

    def write(self, line):
        self._file.write(line + "\n")
        self._file.flush()

    def step(self, step, lr, weight_sum):
        self.write(f"{step} {float(lr)!r} {float(weight_sum)!r}")

    def close(self):
        self._file.close()


def session_loop(args, log, train_op, lr, weight_sum):
    global_step = v1.train.get_global_step()
    saver = v1.train.Saver(max_to_keep=2)
    latest = tf.train.latest_checkpoint(args.train_dir)
    init_fn = None
    if args.pretrained:  # None when the train dir holds a checkpoint
        init_fn = finetune.init_fn_from_checkpoint(
            args.pretrained, EXCLUDE, train_dir=args.train_dir, print_fn=None)
    prefix = os.path.join(args.train_dir, "model.ckpt")
    with v1.Session() as sess:
        if latest:
            saver.restore(sess, latest)
            source = "train_dir"
        else:
            sess.run(v1.global_variables_initializer())
            source = "scratch"
            if init_fn is not None:
                init_fn(sess)
                source = "pretrained"
        log.write(f"# start step={sess.run(global_step)} init={source} "
                  "loop=session")
        while True:
            step, lr_value, total = sess.run([global_step, lr, weight_sum])
            if step >= args.steps:
                break
            sess.run(train_op)
            saver.save(sess, prefix, global_step=global_step)
            log.step(step, lr_value, total)
            time.sleep(args.step_sleep)


def monitored_loop(args, log, train_op, lr, weight_sum):
    global_step = v1.train.get_global_step()
    had_checkpoint = tf.train.latest_checkpoint(args.train_dir) is not None
    scaffold = None
    if args.pretrained:  # no init_fn when the train dir holds a checkpoint
        scaffold = finetune.scaffold_from_checkpoint(
            args.pretrained, EXCLUDE, train_dir=args.train_dir, print_fn=None)
    source = ("train_dir" if had_checkpoint else
              "pretrained" if args.pretrained else "scratch")
    with v1.train.MonitoredTrainingSession(
            checkpoint_dir=args.train_dir, scaffold=scaffold,
            hooks=[v1.train.StopAtStepHook(last_step=args.steps)],
            save_checkpoint_steps=1, save_checkpoint_secs=None,
            save_summaries_steps=None, save_summaries_secs=None,
            log_step_count_steps=None) as sess:
        log.write(f"# start step={sess.run(global_step)} init={source} "
                  "loop=monitored")
        while not sess.should_stop():
            step, lr_value, total = sess.run([global_step, lr, weight_sum])
            if step >= args.steps:
                break
            sess.run(train_op)  # the saver hook writes step + 1
            log.step(step, lr_value, total)
            time.sleep(args.step_sleep)


def main(argv=None):
    args = parse_args(argv)
    v1.disable_eager_execution()
    os.makedirs(args.train_dir, exist_ok=True)
    train_op, lr, weight_sum = build_model(args.steps)
    log = StepLog(args.log)
    try:
        loop = session_loop if args.loop == "session" else monitored_loop
        loop(args, log, train_op, lr, weight_sum)
    finally:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
