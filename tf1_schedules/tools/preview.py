"""Seeing a schedule before training: values, plots, TensorBoard.

    >>> values("cosine_decay", [0, 500, 1000], learning_rate=0.1,
    ...        decay_steps=1000)
    array([0.1 , 0.05, 0.  ], dtype=float32)

`values` evaluates a whole range of steps as one op (a vector step), in a
scratch graph when eager execution is off. Schedules are named (see
`tf1_schedules.schedules.registry.names()`) or given as objects: a step
function, a TF1-style function of the package (with its arguments as
`params`), an eager `ScheduleFn` or a Keras `LearningRateSchedule`.

The gallery (`GALLERY`, `render_gallery`) is `tf1_schedules.tools.gallery`.
"""
import os
import re
import time
from typing import Any, Dict, NamedTuple

import numpy as np
import tensorflow as tf

from tf1_schedules import _checks
from tf1_schedules.schedules import compose
from tf1_schedules.schedules import registry
from tf1_schedules.tools import _style

__all__ = ["Curve", "resolve", "values", "arguments_text", "legend_label",
           "figure", "plot", "write_tensorboard", "FORMATS"]

# Output formats `plot` writes, chosen by the file name's suffix.
FORMATS = ("png", "pdf", "svg", "eps", "ps", "jpg", "jpeg", "tif", "tiff",
           "webp")
_INT64 = np.iinfo(np.int64)


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
    return _resolve("values", schedule_or_name, params)


def _resolve(fn, schedule, params):
    if isinstance(schedule, str):
        return _bind(fn, registry.get(schedule), params)
    # None would match an entry without a TF1 function (`find` compares
    # identities), so it never reaches `find`.
    entry = None if schedule is None else registry.find(schedule)
    if entry is not None:
        return _bind(fn, entry, params)
    if params:
        _checks.fail(fn, "params", "empty unless the schedule is given by "
                     "name or as a function of the package", params,
                     TypeError)
    return compose.to_step_fn(schedule, fn, "schedule_or_name")


def _bind(fn, entry, params):
    if entry.step_arg in params:  # it would be ignored: `steps` are used
        _checks.fail(fn, entry.step_arg, "left out (the steps are "
                     "`steps`)", params[entry.step_arg], TypeError)
    try:
        return entry.fn(**params)
    except TypeError as error:
        # the factory's own messages name it already; Python's do not
        if "argument" not in str(error) or str(error).startswith(
                f"{entry.name}: "):
            raise
        problem = _argument_problem(entry.name, error).rstrip(".")
        known = ", ".join(entry.parameters)
        raise TypeError(f"{entry.name}: {problem}. Parameters: {known}."
                        ) from None


def _argument_problem(name, error):
    """TypeError text from a bad call, without the function's name."""
    return re.sub(rf"^(\S+\(\) |{re.escape(name)}: )", "", str(error))


class _Shown:
    """A value as error messages show it: long sequences cut short."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        if isinstance(self.value, (list, tuple)) and len(self.value) > 8:
            head = ", ".join(map(repr, self.value[:3]))
            return f"[{head}, ... ({len(self.value)} steps)]"
        return repr(self.value)


def _check_steps(fn, steps):
    """`steps` as a 0-D or 1-D int64 or float array of finite numbers."""
    shown = _Shown(steps)
    try:
        array = np.asarray(steps)
    except (ValueError, TypeError):
        array = np.asarray(None)
    if array.dtype == object and array.ndim <= 1 and all(
            isinstance(s, int) and not isinstance(s, bool)
            for s in array.ravel()):
        _checks.fail(fn, "steps", "within the int64 range", shown)
    if array.dtype.kind not in "iuf" or array.ndim > 1:
        _checks.fail(fn, "steps", "a number or a 1-D sequence of numbers",
                     shown, TypeError)
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        _checks.fail(fn, "steps", "finite", shown)
    if array.dtype.kind == "u" and array.size and array.max() > _INT64.max:
        _checks.fail(fn, "steps", "within the int64 range", shown)
    return array.astype(np.int64) if array.dtype.kind in "iu" else array


def values(schedule_or_name, steps, **params):
    """The learning rate at each of `steps`, as a NumPy array.

    Args:
      schedule_or_name: a schedule name or object (see the module docstring).
      steps: a 1-D sequence (or scalar) of finite steps (integers within the
        int64 range, or floats).
      **params: the schedule's arguments when it is given by name or as a
        function of the package.

    Returns:
      A NumPy array shaped like `steps`.
    """
    return _values("values", schedule_or_name, steps, params)


def _values(fn, schedule, steps, params):
    schedule = _resolve(fn, schedule, params)
    steps = _check_steps(fn, steps)
    if tf.executing_eagerly():
        result = np.asarray(schedule(tf.constant(steps)))
    else:
        with tf.Graph().as_default():
            out = schedule(tf.constant(steps))
            with tf.compat.v1.Session() as sess:
                result = sess.run(out)
    return np.broadcast_to(result, steps.shape).copy()


# ---------------------------------------------------------------- plots --

def _is_one_curve(curves):
    """A Curve, a `(label, schedule, params)` tuple, or not a sequence."""
    if isinstance(curves, Curve) or not isinstance(curves, (list, tuple)):
        return True
    return (isinstance(curves, tuple) and len(curves) == 3
            and isinstance(curves[0], str) and isinstance(curves[2], dict))


def _as_curves(fn, curves):
    if _is_one_curve(curves):
        curves = [curves]
    out = [_as_curve(item) for item in curves]
    if not out:
        _checks.fail(fn, "curves", "a schedule or a non-empty list of "
                     "curves", curves)
    for curve in out:
        if not isinstance(curve.label, str):
            _checks.fail(fn, "label", "a string", curve.label, TypeError)
    return out


def _as_curve(item):
    if isinstance(item, Curve):
        return item
    if isinstance(item, tuple):
        return Curve(*item)
    label = item if isinstance(item, str) else getattr(
        item, "__name__", type(item).__name__)
    return Curve(label, item, {})


def arguments_text(params):
    """`k=v, ...` for a schedule's arguments (strings unquoted)."""
    return ", ".join(f"{k}={v if isinstance(v, str) else repr(v)}"
                     for k, v in params.items())


def legend_label(curve):
    """The legend text of `curve`: its label, or, when the label is just
    the schedule's name, the name with its arguments
    (`lr_scheduler(iterations=1000, lr=0.001, policy=onecycle)`)."""
    if curve.params and curve.label == _schedule_name(curve.schedule):
        return f"{curve.label}({arguments_text(curve.params)})"
    return curve.label


def _schedule_name(schedule):
    if isinstance(schedule, str):
        return schedule
    return getattr(schedule, "__name__", type(schedule).__name__)


def _default_title(curves):
    names = list(dict.fromkeys(_schedule_name(c.schedule) for c in curves))
    return ", ".join(names)


def figure(curves, steps, *, title=None, logy=False):
    """The matplotlib Figure `plot` saves (close it with `plt.close(fig)`).

    The axes are labelled `step` and `learning rate`; y-limits start at 0
    and leave a margin above the highest rate (a flat curve looks flat);
    overlapping curves stay visible (a wide translucent line first, then
    dashed and dotted ones); the legend sits below the axes and names each
    curve (see `legend_label`); the default title names the schedules.
    Arguments as for `plot`.
    """
    curves = _as_curves("plot", curves)
    steps = _check_steps("plot", steps)
    if steps.size == 0:
        _checks.fail("plot", "steps", "non-empty", _Shown(steps))
    steps = np.atleast_1d(steps)
    columns = [_values("plot", c.schedule, steps, dict(c.params))
               for c in curves]
    if logy and _style.y_limits(columns, logy=True) is None:
        _checks.fail("plot", "logy", "False when no learning rate is > 0 "
                     "(a log axis shows only positive values)", logy)
    plt = _style.pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=100, layout="constrained")
    labels = [legend_label(c) for c in curves]
    lines = _style.draw_lines(ax, steps, zip(labels, columns))
    _style.label_axes(ax, columns, logy=logy)
    ax.set_title(_default_title(curves) if title is None else title,
                 fontsize=_style.FONT["title"])
    # Explicit labels: matplotlib's own legend drops labels starting with
    # "_", which would hide a curve named "_hidden" without a word.
    long = max(len(label) for label in labels) > 36
    fig.legend(lines, labels, loc="outside lower center",
               ncols=1 if long else min(len(lines), 3),
               fontsize=_style.FONT["legend"], frameon=False)
    return fig


def _format(path):
    if not isinstance(path, (str, os.PathLike)):
        _checks.fail("plot", "path", "a file name (str or os.PathLike)", path,
                     TypeError)
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if suffix not in FORMATS:
        _checks.fail("plot", "path", "a file name ending in one of ."
                     + ", .".join(FORMATS), path)
    return suffix


def plot(curves, steps, path, *, title=None, logy=False):
    """Plots one or several schedules to an image file.

    Args:
      curves: a schedule, or a list of `Curve(label, schedule, params)` /
        tuples / schedules.
      steps: the steps to plot.
      path: output file; its suffix picks the format (`.png`, `.pdf`,
        `.svg`, ... see `FORMATS`; another suffix: ValueError).
      title: figure title (default: the schedules' names).
      logy: logarithmic learning-rate axis.

    Returns:
      `path`.
    """
    file_format = _format(path)
    fig = figure(curves, steps, title=title, logy=logy)
    try:
        fig.savefig(path, format=file_format)
    finally:
        _style.pyplot().close(fig)
    return path


# ---------------------------------------------------------- TensorBoard --

def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "schedule"


def _event_steps(steps):
    """TensorBoard steps are int64: integer-valued steps only (a float step
    such as 0.2 would be written as step 0)."""
    array = np.atleast_1d(_check_steps("write_tensorboard", steps))
    if array.dtype.kind == "f":
        if not np.all(array == np.round(array)):
            _checks.fail("write_tensorboard", "steps", "integers "
                         "(TensorBoard steps are int64)", _Shown(steps))
        if array.size and np.abs(array).max() >= 2.0 ** 63:
            _checks.fail("write_tensorboard", "steps",
                         "within the int64 range", _Shown(steps))
        array = array.astype(np.int64)
    return array


def write_tensorboard(logdir, curves, steps, *, run=None):
    """Writes scalar summaries, one event per step, as the seed scripts did.

    Each curve becomes the scalar tag `label` in the run directory
    `logdir/run` (default: the schedule's name), e.g.
    `logdir/exponential_decay` with the tags `exponential_decay_no_stair`
    and `exponential_decay_use_stair`. The events are written directly
    (no session or summary ops needed), in graph and eager mode alike.
    `steps` must be integers (or integer-valued floats): TensorBoard's
    steps are int64, so `0.2` is rejected rather than written as step 0.

    Returns:
      The event file paths written.
    """
    curves = _as_curves("write_tensorboard", curves)
    steps = _event_steps(steps)
    runs = {}
    for curve in curves:
        name = run or (curve.schedule if isinstance(curve.schedule, str)
                       else curve.label)
        ys = _values("write_tensorboard", curve.schedule, steps,
                     dict(curve.params))
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
