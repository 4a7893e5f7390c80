"""End-to-end demo: pretrain a slim CNN, fine-tune it with tf1_schedules.

    python scripts/demo.py [--out demo_output] [--pretrain-steps 1000]
                           [--finetune-steps 500] [--warmup-steps 50] ...

1. Pretrains a small slim CNN with batch norm on scikit-learn's bundled
   digits 0-4 (`sklearn.datasets.load_digits`, no download) and saves a
   slim checkpoint (`OUT/pretrain/model.ckpt-N`).
2. Fine-tunes it on digits 5-9 in a `sess.run(train_op)` loop: the backbone
   is restored with `tf1_schedules.slim.init_fn_from_checkpoint`, the
   new logits excluded; one `GroupedOptimizer` trains the backbone at a
   fraction of the head's learning rate; the learning rate is
   `cosine_decay_with_warmup` driven by the global step. Checkpoints
   (`OUT/finetune/model.ckpt-0` right after the restore, then every
   `--ckpt-every` steps) and TensorBoard events go to `OUT/finetune`.
3. Prints held-out accuracies, writes `OUT/curves.png` (learning rates,
   losses, held-out accuracy), `OUT/summary.json`, and the schedule gallery
   (`OUT/gallery/`, `OUT/gallery_overview.png`).

Each run starts from scratch: it replaces `OUT/pretrain`, `OUT/finetune`
and `OUT/gallery`.
"""
import argparse
import json
import os
import shutil
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# tf-slim builds its layers through TF's deprecated v1 layer API.
warnings.filterwarnings("ignore", message=r".*is deprecated")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from tqdm import tqdm  # noqa: E402

import tf1_schedules.slim_compat  # noqa: E402,F401  (repairs tf_slim)
from tf1_schedules import slim as finetune  # noqa: E402
from tf1_schedules.schedules.decay import cosine_decay  # noqa: E402
from tf1_schedules.optim.groups import Group, slim_blocks  # noqa: E402
from tf1_schedules.optim.grouped import minimize_groups  # noqa: E402
from tf1_schedules.tools.gallery import render_gallery, render_overview  # noqa: E402
from tf1_schedules.schedules.od import cosine_decay_with_warmup  # noqa: E402

import tf_slim as slim  # noqa: E402

tf.get_logger().setLevel("ERROR")
v1 = tf.compat.v1
NET = "net"
HEAD = NET + "/logits"
NUM_CLASSES = 5


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="demo_output", help="output directory")
    p.add_argument("--pretrain-steps", type=int, default=1000)
    p.add_argument("--finetune-steps", type=int, default=500)
    p.add_argument("--warmup-steps", type=int, default=None,
                   help="fine-tune warmup (default: 10%% of the steps)")
    p.add_argument("--pretrain-lr", type=float, default=0.05)
    p.add_argument("--lr", type=float, default=0.05,
                   help="peak fine-tune learning rate of the new head")
    p.add_argument("--backbone-multiplier", type=float, default=0.1,
                   help="backbone learning rate = lr * this")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--ckpt-every", type=int, default=250)
    p.add_argument("--gallery-points", type=int, default=1000)
    p.add_argument("--no-gallery", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    for name in ("pretrain_steps", "finetune_steps", "batch_size",
                 "eval_every", "log_every", "ckpt_every", "gallery_points"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.warmup_steps is None:
        args.warmup_steps = args.finetune_steps // 10
    if not 0 <= args.warmup_steps < args.finetune_steps:
        p.error("--warmup-steps must be in [0, --finetune-steps)")
    return args


# ------------------------------------------------------------------ data --

def load_splits(seed):
    """Digits 0-4 (pretrain) and 5-9 (fine-tune, relabelled 0-4), each
    split 70/30 into train and held-out test, stratified by class."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    rng = np.random.default_rng(seed)
    splits = {}
    for task, labels in (("pretrain", range(0, 5)),
                         ("finetune", range(5, 10))):
        train, test = [], []
        for label in labels:
            idx = rng.permutation(np.flatnonzero(digits.target == label))
            cut = int(round(0.7 * len(idx)))
            train.extend(idx[:cut])
            test.extend(idx[cut:])
        for part, idx in (("train", train), ("test", test)):
            idx = np.asarray(idx)
            splits[f"{task}_{part}"] = (images[idx],
                                        digits.target[idx] - labels.start)
    return splits


def batches(data, batch_size, rng):
    """Endless shuffled mini-batches (a new permutation every epoch)."""
    x, y = data
    while True:
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]


# ----------------------------------------------------------------- model --

class Model:
    """A slim CNN with batch norm: conv-conv-pool-fc, then `net/logits`."""

    def __init__(self):
        self.images = v1.placeholder(tf.float32, [None, 8, 8, 1], "images")
        self.labels = v1.placeholder(tf.int64, [None], "labels")
        self.is_training = v1.placeholder_with_default(False, [],
                                                       "is_training")
        bn = {"is_training": self.is_training, "decay": 0.9}
        with v1.variable_scope(NET), slim.arg_scope(
                [slim.conv2d, slim.fully_connected],
                normalizer_fn=slim.batch_norm, normalizer_params=bn):
            net = slim.conv2d(self.images, 16, [3, 3], scope="conv1")
            net = slim.conv2d(net, 32, [3, 3], scope="conv2")
            net = slim.max_pool2d(net, [2, 2], scope="pool2")
            net = slim.fully_connected(slim.flatten(net), 64, scope="fc3")
            self.logits = slim.fully_connected(
                net, NUM_CLASSES, activation_fn=None, normalizer_fn=None,
                scope="logits")
        self.loss = v1.losses.sparse_softmax_cross_entropy(self.labels,
                                                          self.logits)
        correct = tf.equal(tf.argmax(self.logits, 1), self.labels)
        self.accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    def evaluate(self, sess, data):
        """(loss, accuracy) on `data` with the batch-norm moving averages."""
        loss, acc = sess.run([self.loss, self.accuracy],
                             {self.images: data[0], self.labels: data[1]})
        return float(loss), float(acc)


# -------------------------------------------------------------- training --

def train_loop(sess, model, train_op, learning_rates, data, train_dir, steps,
               args, desc):
    """`sess.run(train_op)` until the global step reaches `steps`.

    `data` is `(train, held_out)`; `learning_rates` maps a TensorBoard tag to
    a learning-rate Tensor. Writes summaries every `--log-every` steps,
    evaluates the held-out set first and every `--eval-every` steps,
    checkpoints every `--ckpt-every` steps and at the end. Returns the
    history (lists of numbers).
    """
    fetches = {"train": train_op, "loss": model.loss, "lr": learning_rates,
               "summary": summaries(model, learning_rates)}
    saver = v1.train.Saver(max_to_keep=None)
    writer = v1.summary.FileWriter(train_dir, sess.graph)
    history = {"step": [], "loss": [], "eval_step": [], "eval_loss": [],
               "eval_accuracy": [], **{f"lr_{t}": [] for t in learning_rates}}
    train_batches = batches(data[0], args.batch_size,
                            np.random.default_rng([args.seed, steps]))
    step = int(sess.run(v1.train.get_global_step()))
    record_eval(sess, model, data[1], step, writer, history)
    with tqdm(total=steps, initial=step, desc=desc, unit="step",
              disable=args.no_progress, mininterval=0.5,
              file=sys.stdout) as bar:
        while step < steps:
            log = step % args.log_every == 0
            out = train_step(sess, model, fetches, next(train_batches), log)
            record_train(history, step, out, writer)
            step += 1
            if step % args.eval_every == 0 or step == steps:
                record_eval(sess, model, data[1], step, writer, history)
            if step % args.ckpt_every == 0 or step == steps:
                saver.save(sess, os.path.join(train_dir, "model.ckpt"), step)
            bar.set_postfix(loss=f"{out['loss']:.3f}",
                            lr=f"{next(iter(out['lr'].values())):.4f}",
                            refresh=False)
            bar.update(1)
    writer.close()
    return history


def summaries(model, learning_rates):
    for tag, lr in learning_rates.items():
        v1.summary.scalar(f"learning_rate/{tag}", lr)
    v1.summary.scalar("loss/train", model.loss)
    return v1.summary.merge_all()


def train_step(sess, model, fetches, batch, log):
    """One `sess.run(train_op)`; the loss and learning rates it used (they
    are read before the global step increments), and the summary if `log`."""
    feed = {model.images: batch[0], model.labels: batch[1],
            model.is_training: True}
    if not log:
        fetches = {k: v for k, v in fetches.items() if k != "summary"}
    return sess.run(fetches, feed)


def record_train(history, step, out, writer):
    history["step"].append(step)
    history["loss"].append(float(out["loss"]))
    for tag, lr in out["lr"].items():
        history[f"lr_{tag}"].append(float(lr))
    if "summary" in out:
        writer.add_summary(out["summary"], step)


def record_eval(sess, model, test_data, step, writer, history):
    loss, acc = model.evaluate(sess, test_data)
    history["eval_step"].append(step)
    history["eval_loss"].append(loss)
    history["eval_accuracy"].append(acc)
    writer.add_summary(v1.Summary(value=[
        v1.Summary.Value(tag="loss/heldout", simple_value=loss),
        v1.Summary.Value(tag="accuracy/heldout", simple_value=acc)]), step)


def session_config():
    return v1.ConfigProto(intra_op_parallelism_threads=2,
                          inter_op_parallelism_threads=2)


def pretrain(args, splits, train_dir):
    """Digits 0-4 from scratch: (checkpoint path, accuracy, history)."""
    with tf.Graph().as_default():
        v1.set_random_seed(args.seed)
        model = Model()
        global_step = v1.train.get_or_create_global_step()
        lr = cosine_decay(args.pretrain_lr, global_step, args.pretrain_steps,
                          alpha=0.01)
        optimizer = v1.train.MomentumOptimizer(lr, 0.9)
        update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = optimizer.minimize(model.loss, global_step)
        with v1.Session(config=session_config()) as sess:
            sess.run(v1.global_variables_initializer())
            history = train_loop(
                sess, model, train_op, {"pretrain": lr},
                (splits["pretrain_train"], splits["pretrain_test"]),
                train_dir, args.pretrain_steps, args, "pretrain")
    return (tf.train.latest_checkpoint(train_dir),
            history["eval_accuracy"][-1], history)


def finetune_groups(args):
    """The new head at the base rate, the backbone at a fraction of it."""
    blocks = [b for b in slim_blocks(NET) if b != HEAD]
    return [Group(blocks, multiplier=args.backbone_multiplier,
                  name="backbone"),
            Group(HEAD, name="head")]


def run_finetune(args, splits, checkpoint, train_dir):
    """Digits 5-9 from the pretrained backbone; returns a result dict."""
    with tf.Graph().as_default():
        v1.set_random_seed(args.seed + 1)
        model = Model()
        global_step = v1.train.get_or_create_global_step()
        lr = cosine_decay_with_warmup(
            global_step, args.lr, args.finetune_steps,
            warmup_learning_rate=0.0, warmup_steps=args.warmup_steps,
            alpha=0.01)
        train_op = minimize_groups(
            model.loss, finetune_groups(args),
            optimizer_fn=lambda rate: v1.train.MomentumOptimizer(rate, 0.9),
            learning_rate=lr)
        init_fn = finetune.init_fn_from_checkpoint(
            checkpoint, HEAD, train_dir=train_dir, print_fn=print_restore)
        rates = {"head": lr, "backbone": lr * args.backbone_multiplier}
        with v1.Session(config=session_config()) as sess:
            sess.run(v1.global_variables_initializer())
            init_fn(sess)
            v1.train.Saver().save(sess, os.path.join(train_dir, "model.ckpt"),
                                  0)
            restored_ok = restored_equal(sess, init_fn.plan, checkpoint)
            history = train_loop(
                sess, model, train_op, rates,
                (splits["finetune_train"], splits["finetune_test"]),
                train_dir, args.finetune_steps, args, "finetune")
    accuracy = history["eval_accuracy"]
    return {"before": accuracy[0], "after": accuracy[-1], "history": history,
            "restored": len(init_fn.plan.restore),
            "restored_equal": restored_ok}


def print_restore(report):
    """The restore report's first line (the full report is long)."""
    print(report.splitlines()[0])


def restored_equal(sess, plan, checkpoint):
    """Whether every restored variable equals its checkpoint value."""
    names = list(plan.restore)
    current = sess.run([plan.restore[n] for n in names])
    return all(np.array_equal(value, tf.train.load_variable(checkpoint, n))
               for n, value in zip(names, current))


# ----------------------------------------------------------------- plots --

# Drawn 880 px wide (the width a README shows), so 10 pt is about 10 px.
CURVES_SIZE, CURVES_DPI = (12.0, 4.8), 880 / 12.0
CURVES_FONT = 10.5


def curves_figure(pre, ft, accuracies):
    """Learning rates, losses and held-out accuracy of both phases."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with plt.rc_context({"font.size": CURVES_FONT}):
        fig, axes = plt.subplots(1, 3, figsize=CURVES_SIZE, dpi=CURVES_DPI,
                                 layout="constrained")
        _draw_curves(axes, pre, ft)
    fig.suptitle("tf1_schedules demo: pretrain on digits 0-4 "
                 f"({accuracies['pretrain']:.1%}), fine-tune on 5-9 "
                 f"({accuracies['before']:.1%} -> {accuracies['after']:.1%})",
                 fontsize=12)
    return fig


def _draw_curves(axes, pre, ft):
    ax = axes[0]
    ax.plot(pre["step"], pre["lr_pretrain"], color="grey", linestyle="--",
            label="pretrain\n(cosine_decay)")
    ax.plot(ft["step"], ft["lr_head"],
            label="fine-tune head\n(cosine_decay_with_warmup)")
    ax.plot(ft["step"], ft["lr_backbone"], linestyle="-.",
            label="fine-tune backbone\n(head x multiplier)")
    ax.set(title="learning rates", xlabel="step", ylabel="learning rate",
           ylim=(0, None))
    ax = axes[1]
    for name, hist in (("pretrain 0-4", pre), ("fine-tune 5-9", ft)):
        line, = ax.plot(hist["step"], hist["loss"], alpha=0.25, linewidth=0.8)
        ax.plot(hist["step"], smooth(hist["loss"]), color=line.get_color(),
                label=f"{name} (train)")
        ax.plot(hist["eval_step"], hist["eval_loss"], "--",
                color=line.get_color(), label=f"{name} (held-out)")
    ax.set(title="loss", xlabel="step", ylabel="cross-entropy", yscale="log")
    ax = axes[2]
    for name, hist in (("pretrain 0-4", pre), ("fine-tune 5-9", ft)):
        ax.plot(hist["eval_step"], hist["eval_accuracy"], marker=".",
                label=name)
    ax.axhline(1 / NUM_CLASSES, color="grey", linestyle=":", label="chance")
    ax.set(title="held-out accuracy", xlabel="step", ylabel="accuracy",
           ylim=(0, 1.02))
    for ax in axes:
        ax.grid(alpha=0.3)
        # below the panel: inside, it would hide the curves
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  frameon=False, fontsize=CURVES_FONT)


def plot_curves(pre, ft, accuracies, path):
    from matplotlib import pyplot as plt

    fig = curves_figure(pre, ft, accuracies)
    try:
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path


def smooth(ys, weight=0.9):
    """TensorBoard-style exponential moving average."""
    out, last = [], ys[0] if ys else 0.0
    for y in ys:
        last = weight * last + (1 - weight) * y
        out.append(last)
    return out


# ------------------------------------------------------------------ main --

def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    dirs = {name: os.path.join(args.out, name)
            for name in ("pretrain", "finetune", "gallery")}
    for directory in dirs.values():
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
    splits = load_splits(args.seed)
    print("digits: " + ", ".join(f"{k} {len(v[1])}"
                                 for k, v in splits.items()))

    checkpoint, pre_acc, pre_hist = pretrain(args, splits, dirs["pretrain"])
    print(f"pretrain: held-out accuracy on digits 0-4: {pre_acc:.4f}; "
          f"checkpoint {checkpoint}")
    ft = run_finetune(args, splits, checkpoint, dirs["finetune"])
    print(f"fine-tune: restored {ft['restored']} variables, equal to the "
          f"checkpoint: {ft['restored_equal']}")
    print(f"fine-tune: held-out accuracy on digits 5-9 before: "
          f"{ft['before']:.4f}, after: {ft['after']:.4f} "
          f"(chance {1 / NUM_CLASSES:.2f})")
    accuracies = {"pretrain": pre_acc, "before": ft["before"],
                  "after": ft["after"]}
    curves = plot_curves(pre_hist, ft["history"], accuracies,
                         os.path.join(args.out, "curves.png"))
    print(f"curves: {curves}")
    outputs = {"curves": curves, "pretrain_checkpoint": checkpoint,
               "finetune_checkpoint": tf.train.latest_checkpoint(
                   dirs["finetune"]), "tensorboard": args.out}
    if not args.no_gallery:
        outputs["gallery"] = render_gallery(dirs["gallery"],
                                            points=args.gallery_points)
        outputs["gallery_overview"] = render_overview(
            os.path.join(args.out, "gallery_overview.png"),
            points=args.gallery_points)
        print(f"gallery: {outputs['gallery']}, {outputs['gallery_overview']}")
    summary = {"accuracy": accuracies, "restored": ft["restored"],
               "restored_equal": ft["restored_equal"], "outputs": outputs,
               "args": vars(args), "seconds": round(time.time() - start, 1)}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"done in {summary['seconds']} s; TensorBoard: "
          f"tensorboard --logdir {args.out}")
    return summary


if __name__ == "__main__":
    main()
