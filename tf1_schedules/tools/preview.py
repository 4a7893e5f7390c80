"""Seeing a schedule before training: values, plots, a gallery, TensorBoard.

    >>> values("cosine_decay", [0, 500, 1000], learning_rate=0.1,
    ...        decay_steps=1000)
    array([0.1 , 0.05, 0.  ], dtype=float32)

`values` evaluates a whole range of steps as one op (a vector step), in a
scratch graph when eager execution is off. Schedules are named (see
`tf1_schedules.schedules.registry.names()`) or given as objects: a step function, a
TF1-style function of the package (with its arguments as `params`), an eager
`ScheduleFn` or a Keras `LearningRateSchedule`.
"""
import html
import os
import re
import time
from typing import Any, Dict, NamedTuple

import numpy as np
import tensorflow as tf

from tf1_schedules.schedules import compose
from tf1_schedules.schedules import registry

__all__ = ["Curve", "resolve", "values", "plot", "write_tensorboard",
           "GALLERY", "render_gallery"]


class Curve(NamedTuple):
    """One line of a plot: `schedule` (name or object) with `params`."""
    label: str
    schedule: Any
    params: Dict[str, Any] = {}


def resolve(schedule_or_name, **params):
    """The step function `f(step) -> Tensor` of a schedule.

    Raises:
      ValueError: unknown name or invalid parameters.
      TypeError: wrong kind of object, or unexpected parameters.
    """
    if isinstance(schedule_or_name, str):
        return _bind(registry.get(schedule_or_name), params)
    entry = registry.find(schedule_or_name)
    if entry is not None:
        return _bind(entry, params)
    if params:
        raise TypeError(f"resolve: parameters are only accepted with a "
                        f"schedule name or function. Received: {params!r}.")
    return compose.to_step_fn(schedule_or_name, "values", "schedule_or_name")


def _bind(entry, params):
    params = {k: v for k, v in params.items() if k != entry.step_arg}
    try:
        return entry.fn(**params)
    except TypeError as error:
        if "argument" not in str(error):
            raise
        raise TypeError(f"{entry.name}: {_argument_problem(error)}. "
                        f"Parameters: {', '.join(entry.parameters)}.") from None


def _argument_problem(error):
    """TypeError text from a bad call, without the function's qualname."""
    return re.sub(r"^\S+\(\) ", "", str(error))


def values(schedule_or_name, steps, **params):
    """The learning rate at each of `steps`, as a NumPy array.

    Args:
      schedule_or_name: a schedule name or object (see the module docstring).
      steps: a 1-D sequence (or scalar) of steps.
      **params: the schedule's arguments when it is given by name or as a
        function of the package.

    Returns:
      A NumPy array shaped like `steps`.
    """
    schedule = resolve(schedule_or_name, **params)
    steps = np.asarray(steps)
    if steps.dtype.kind not in "iuf" or steps.ndim > 1:
        raise TypeError("values: `steps` must be a number or a 1-D sequence "
                        f"of numbers. Received: steps={steps!r}.")
    if steps.dtype.kind in "iu":
        steps = steps.astype(np.int64)
    if tf.executing_eagerly():
        result = np.asarray(schedule(tf.constant(steps)))
    else:
        with tf.Graph().as_default():
            out = schedule(tf.constant(steps))
            with tf.compat.v1.Session() as sess:
                result = sess.run(out)
    return np.broadcast_to(result, steps.shape).copy()


# ---------------------------------------------------------------- plots --

def _as_curve(item):
    if isinstance(item, Curve):
        return item
    if isinstance(item, tuple):
        return Curve(*item)
    label = item if isinstance(item, str) else getattr(
        item, "__name__", type(item).__name__)
    return Curve(label, item, {})


def plot(curves, steps, path, *, title=None, logy=False):
    """Plots one or several schedules to a PNG file (matplotlib, Agg).

    Args:
      curves: a schedule, or a list of `Curve(label, schedule, params)` /
        tuples / schedules.
      steps: the steps to plot.
      path: output file (`.png`).
      title: figure title.
      logy: logarithmic learning-rate axis.

    Returns:
      `path`.
    """
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    if not isinstance(curves, (list, tuple)) or isinstance(curves, Curve):
        curves = [curves]
    curves = [_as_curve(c) for c in curves]
    steps = np.asarray(steps)
    lines = [(c.label, values(c.schedule, steps, **dict(c.params)))
             for c in curves]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=80)
    try:
        for label, ys in lines:
            ax.plot(steps, ys, label=label, linewidth=1.4)
        ax.set_xlabel("step")
        ax.set_ylabel("learning rate")
        if logy:
            ax.set_yscale("log")
        if title:
            ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path


# ---------------------------------------------------------- TensorBoard --

def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "schedule"


def write_tensorboard(logdir, curves, steps, *, run=None):
    """Writes scalar summaries, one event per step, as the seed scripts did.

    Each curve becomes the scalar tag `label` in the run directory
    `logdir/run` (default: the schedule's name), e.g.
    `logdir/exponential_decay` with the tags `exponential_decay_no_stair`
    and `exponential_decay_use_stair`. The events are written directly
    (no session or summary ops needed), in graph and eager mode alike.

    Returns:
      The event file paths written.
    """
    if not isinstance(curves, (list, tuple)) or isinstance(curves, Curve):
        curves = [curves]
    curves = [_as_curve(c) for c in curves]
    steps = np.asarray(steps)
    runs = {}
    for curve in curves:
        name = run or (curve.schedule if isinstance(curve.schedule, str)
                       else curve.label)
        ys = values(curve.schedule, steps, **dict(curve.params))
        runs.setdefault(_safe(name), []).append((curve.label, ys))
    return [_write_run(os.path.join(logdir, name), steps, lines)
            for name, lines in runs.items()]


def _write_run(directory, steps, lines):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"events.out.tfevents.{int(time.time())}"
                                   f".tf1_schedules.{os.getpid()}")
    with tf.io.TFRecordWriter(path) as writer:
        header = tf.compat.v1.Event(wall_time=time.time(),
                                    file_version="brain.Event:2")
        writer.write(header.SerializeToString())
        for i, step in enumerate(steps):
            summary = tf.compat.v1.Summary(value=[
                tf.compat.v1.Summary.Value(tag=label,
                                           simple_value=float(ys[i]))
                for label, ys in lines])
            event = tf.compat.v1.Event(wall_time=time.time(), step=int(step),
                                       summary=summary)
            writer.write(event.SerializeToString())
    return path


# --------------------------------------------------------------- gallery --

class GalleryItem(NamedTuple):
    """A gallery figure: `curves` of one schedule over `range(0, max_step)`."""
    name: str
    source: str
    max_step: int
    curves: tuple


def _c(label, name, **params):
    return Curve(label, name, params)


_SEED_002 = "seed 002 (TF schedule validation scripts, max_step 20000)"
_NOT_IN_SEED = "not in the seeds: seed 002's parameters for {}"
_SEED_004 = "seed 004 (LRScheduler README: iterations 100000, lr 0.001)"
_EXP = dict(learning_rate=0.01, decay_steps=2000, decay_rate=0.98)
_POLICY = dict(learning_rate=0.001, total_steps=100000)

GALLERY = (
    GalleryItem("exponential_decay", _SEED_002, 20000, (
        _c("exponential_decay_no_stair", "exponential_decay", **_EXP),
        _c("exponential_decay_use_stair", "exponential_decay",
           staircase=True, **_EXP))),
    GalleryItem("natural_exp_decay", _SEED_002, 20000, (
        _c("natural_exp_decay_no_stair", "natural_exp_decay", **_EXP),
        _c("natural_exp_decay_use_stair", "natural_exp_decay",
           staircase=True, **_EXP))),
    GalleryItem("inverse_time_decay", _NOT_IN_SEED.format("exponential_decay"),
                20000, (
        _c("inverse_time_decay_no_stair", "inverse_time_decay", **_EXP),
        _c("inverse_time_decay_use_stair", "inverse_time_decay",
           staircase=True, **_EXP))),
    GalleryItem("polynomial_decay", _SEED_002, 20000, tuple(
        _c(f"polynomial_decay_power_{label}", "polynomial_decay",
           learning_rate=0.01, decay_steps=10000, end_learning_rate=0.00001,
           power=power) for label, power in (("1", 1.0), ("05", 0.5),
                                             ("2", 2.0)))),
    GalleryItem("piecewise_constant", _SEED_002, 20000, (
        _c("piecewise_decay", "piecewise_constant", boundaries=[5000, 8000],
           values=[0.01, 0.001, 0.0001]),)),
    GalleryItem("cosine_decay", _SEED_002, 20000, (
        _c("cosine_decay", "cosine_decay", learning_rate=0.01,
           decay_steps=10000, alpha=0.001),)),
    GalleryItem("cosine_decay_restarts", _SEED_002, 20000, tuple(
        _c(f"cosine_decay_cycle_{label}", "cosine_decay_restarts",
           learning_rate=0.01, first_decay_steps=5000, t_mul=t, m_mul=m,
           alpha=0.0001)
        for label, t, m in (("1_1", 1.0, 1.0), ("2_1", 2.0, 1.0),
                            ("2_05", 2.0, 0.5)))),
    GalleryItem("linear_cosine_decay", _SEED_002, 20000, tuple(
        _c(f"linear_cosine_decay_{label}", "linear_cosine_decay",
           learning_rate=0.01, decay_steps=10000, num_periods=periods,
           alpha=0.001, beta=0.001)
        for label, periods in (("05", 0.5), ("4", 4.0)))),
    GalleryItem("noisy_linear_cosine_decay",
                _NOT_IN_SEED.format("linear_cosine_decay") + ", seed=0",
                20000, (
        _c("noisy_linear_cosine_decay", "noisy_linear_cosine_decay",
           learning_rate=0.01, decay_steps=10000, alpha=0.001, beta=0.001,
           seed=0),)),
    GalleryItem("exponential_decay_with_burnin", _SEED_002, 20000, (
        _c("exponential_decay_with_burnin", "exponential_decay_with_burnin",
           learning_rate_base=0.01, learning_rate_decay_steps=2000,
           learning_rate_decay_factor=0.98, burnin_learning_rate=0.001,
           burnin_steps=2000, staircase=True),)),
    GalleryItem("exponential_decay_with_warmup",
                _NOT_IN_SEED.format("exponential_decay_with_burnin"), 20000, (
        _c("exponential_decay_with_warmup", "exponential_decay_with_warmup",
           learning_rate_base=0.01, learning_rate_decay_steps=2000,
           learning_rate_decay_factor=0.98, warmup_learning_rate=0.001,
           warmup_steps=2000, staircase=True),)),
    GalleryItem("piecewise_with_warmup", _SEED_002, 20000, (
        _c("piecewise_no_warmup", "piecewise_with_warmup",
           boundaries=[5000, 8000], rates=[0.01, 0.001, 0.0001],
           warmup=False),
        _c("piecewise_with_warmup", "piecewise_with_warmup",
           boundaries=[2000, 5000, 8000],
           rates=[0.00001, 0.01, 0.001, 0.0001], warmup=True))),
    GalleryItem("cosine_decay_with_warmup",
                _SEED_002 + "; its raw alpha=1e-5 is alpha=0.001 of base",
                20000, tuple(
        _c(f"cosine_decay_with_warmup_hold_{hold or 'no'}",
           "cosine_decay_with_warmup", learning_rate_base=0.01,
           total_decay_steps=15000, alpha=0.001, warmup_learning_rate=0.0001,
           warmup_steps=2000, hold_base_rate_steps=hold)
        for hold in (2000, 0))),
    GalleryItem("bert_learning_rate",
                "seed 000 (BERT create_optimizer; 10% warmup as "
                "run_classifier)", 20000, (
        _c("bert", "bert_learning_rate", init_lr=0.01,
           num_train_steps=20000, num_warmup_steps=2000),
        _c("bert_continuous", "bert_learning_rate", init_lr=0.01,
           num_train_steps=20000, num_warmup_steps=2000, continuous=True))),
    GalleryItem("constant_learning_rate", _SEED_004, 100000, (
        _c("constant", "constant_learning_rate", learning_rate=0.001),)),
    GalleryItem("step_decay_with_warmup", _SEED_004, 100000, (
        _c("step_warm_up_0.1", "step_decay_with_warmup", **_POLICY),
        _c("step_warm_up_0.5", "step_decay_with_warmup", warm_up=0.5,
           **_POLICY))),
    GalleryItem("cosine_annealing_warm_restarts", _SEED_004, 100000, (
        _c("cosine", "cosine_annealing_warm_restarts", **_POLICY),)),
    GalleryItem("one_cycle", _SEED_004, 100000, (
        _c("onecycle", "one_cycle", **_POLICY),)),
    GalleryItem("lr_scheduler", _SEED_004, 100000, tuple(
        _c(policy, "lr_scheduler", iterations=100000, lr=0.001,
           policy=policy) for policy in ("constant", "step", "cosine",
                                         "onecycle"))),
)


def render_gallery(out_dir, *, points=2000):
    """One PNG per schedule of the package, plus `index.md` and `index.html`.

    Parameters are those of the seed documents (see `GALLERY`).

    Args:
      out_dir: output directory (created if missing).
      points: number of steps evaluated per curve (evenly spaced).

    Returns:
      The path of `index.html`.
    """
    os.makedirs(out_dir, exist_ok=True)
    for item in GALLERY:
        stride = max(1, item.max_step // points)
        plot(list(item.curves), np.arange(0, item.max_step, stride),
             os.path.join(out_dir, f"{item.name}.png"), title=item.name)
    with open(os.path.join(out_dir, "index.md"), "w") as f:
        f.write(_index_md())
    path = os.path.join(out_dir, "index.html")
    with open(path, "w") as f:
        f.write(_index_html())
    return path


def _params_text(curve):
    return ", ".join(f"{k}={v!r}" for k, v in curve.params.items())


def _index_md():
    lines = ["# tf1_schedules gallery", "",
             "Every schedule of the package with the parameters of the seed "
             "documents. Regenerate with `tf1-schedules gallery DIR`.", ""]
    for item in GALLERY:
        lines += [f"## `{item.name}`", "", f"{registry.get(item.name).summary}"
                  f" Parameters: {item.source}.", ""]
        lines += [f"* `{c.label}`: `{c.schedule}({_params_text(c)})`"
                  for c in item.curves]
        lines += ["", f"![{item.name}]({item.name}.png)", ""]
    return "\n".join(lines)


def _index_html():
    parts = ["<!doctype html><meta charset='utf-8'>",
             "<title>tf1_schedules gallery</title>",
             "<h1>tf1_schedules gallery</h1>"]
    for item in GALLERY:
        name = html.escape(item.name)
        parts.append(f"<h2 id='{name}'>{name}</h2><p>"
                     f"{html.escape(registry.get(item.name).summary)} "
                     f"Parameters: {html.escape(item.source)}.</p><ul>")
        parts += [f"<li><code>{html.escape(c.label)}</code>: <code>"
                  f"{html.escape(f'{c.schedule}({_params_text(c)})')}"
                  "</code></li>" for c in item.curves]
        parts.append(f"</ul><img src='{name}.png' alt='{name}'>")
    return "\n".join(parts) + "\n"
