"""`tf1_schedules.tools.preview`: values(), figures and plots, TensorBoard.

Figures are checked on the matplotlib objects (`preview.figure`): labels,
font sizes, y-limits, legend texts, line styles.
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tf1_schedules.schedules import compose
from tf1_schedules.schedules import decay
from tf1_schedules.schedules import step_fns
from tf1_schedules.tools import _style
from tf1_schedules.tools import preview

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXP = dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5)


@pytest.fixture
def plt():
    plt = _style.pyplot()
    before = set(plt.get_fignums())
    yield plt
    for number in set(plt.get_fignums()) - before:
        plt.close(number)


# ----------------------------------------------------------------- values --

def test_values_by_name_and_by_function():
    steps = [0, 5, 10, 20]
    expected = 0.1 * 0.5 ** (np.array(steps) / 10)
    np.testing.assert_allclose(preview.values("exponential_decay", steps,
                                              **EXP), expected, rtol=1e-6)
    np.testing.assert_allclose(
        preview.values(decay.exponential_decay, steps, **EXP), expected,
        rtol=1e-6)
    np.testing.assert_allclose(
        preview.values(step_fns.exponential_decay_fn, steps, **EXP),
        expected, rtol=1e-6)
    np.testing.assert_allclose(
        preview.values("manual_stepping", range(5), boundaries=[2],
                       rates=[1.0, 2.0]), [1, 1, 2, 2, 2])


def test_values_of_objects():
    steps = np.arange(0, 30, 3)
    eager = decay.cosine_decay(0.1, tf.Variable(0, dtype=tf.int64), 30)
    keras_schedule = keras.optimizers.schedules.CosineDecay(0.1, 30)
    expected = 0.05 * (1 + np.cos(np.pi * steps / 30))
    for schedule in (eager, keras_schedule, step_fns.cosine_decay_fn(0.1, 30)):
        np.testing.assert_allclose(preview.values(schedule, steps), expected,
                                   rtol=1e-5, atol=1e-7)


def test_values_evaluates_the_range_as_one_vector_op():
    calls = []

    def schedule(step):
        calls.append(step.shape.as_list())
        return tf.cast(step, tf.float32) * 2.0

    out = preview.values(schedule, range(1000))
    assert calls == [[1000]]
    assert out.shape == (1000,) and out[999] == 1998.0


def test_values_in_graph_mode(graph):
    out = preview.values("one_cycle", [0, 50, 100], learning_rate=1.0,
                         total_steps=100, warm_up=0.5)
    # k = 100 - 51 of 50 down steps: 0.01 + 0.99 * 0.5 * (1 + cos(pi * 49 / 50))
    np.testing.assert_allclose(out, [0, 1.0, 0.0109768], rtol=1e-5)
    assert not graph.get_operations()  # a scratch graph was used


def test_values_broadcasts_constants_and_keeps_step_shape():
    out = preview.values(lambda step: tf.constant(0.5), [1, 2, 3])
    np.testing.assert_array_equal(out, [0.5, 0.5, 0.5])


def test_values_takes_the_int64_extremes_and_negative_steps():
    seen = []

    def schedule(step):
        seen.append(step.dtype)
        return tf.zeros_like(step, tf.float32)

    preview.values(schedule, [-2 ** 63, 2 ** 63 - 1])
    preview.values(schedule, np.array([5], np.uint64))
    assert seen == [tf.int64, tf.int64]
    np.testing.assert_allclose(
        preview.values("exponential_decay", [-10], **EXP), [0.2], rtol=1e-6)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: preview.values("nope", [1]), ValueError, "unknown schedule"),
    (lambda: preview.values("cosine_decay", [1], learning_rate=0.1),
     TypeError, r"^cosine_decay: [^\n]*decay_steps[^\n]*\. "
     r"(Parameters|Arguments): learning_rate, decay_steps, alpha, name\.$"),
    (lambda: preview.values(compose.constant(1.0), [1], a=1), TypeError,
     r"values: `params` must be empty unless"),
    (lambda: preview.values("cosine_decay", [[1, 2]], learning_rate=0.1,
                            decay_steps=5), TypeError, "1-D sequence"),
    (lambda: preview.values(3.0, [1]), TypeError, "step function"),
    (lambda: preview.values(None, [0]), TypeError,
     r"^values: `schedule_or_name` must be a step function.*=None\.$"),
    (lambda: preview.values("exponential_decay", [float("nan")], **EXP),
     ValueError, r"^values: `steps` must be finite"),
    (lambda: preview.values("exponential_decay", [2 ** 63], **EXP),
     ValueError, "int64 range"),
    (lambda: preview.values("exponential_decay", ["1"], **EXP), TypeError,
     "1-D sequence of numbers"),
])
def test_values_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_values_message_cuts_long_steps_short():
    with pytest.raises(ValueError) as info:
        preview.values("exponential_decay", [0.5] * 999 + [float("inf")],
                       **EXP)
    assert "[0.5, 0.5, 0.5, ... (1000 steps)]" in str(info.value)
    assert len(str(info.value)) < 200


# ---------------------------------------------------------------- figure --

def _texts(fig):
    """Every visible, non-empty Text of `fig`."""
    from matplotlib.text import Text
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


def _legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _draw(fig):
    fig.canvas.draw()  # tick labels and layout exist after a draw
    return fig


def test_figure_labels_title_and_fonts(plt):
    fig = _draw(preview.figure(
        [preview.Curve("lr_scheduler", "lr_scheduler",
                       dict(iterations=1000, lr=0.001, policy="onecycle")),
         ("warmup", "cosine_decay_with_warmup",
          dict(learning_rate_base=0.001, total_steps=1000,
               warmup_steps=100))], np.arange(0, 1000, 5)))
    ax, = fig.axes
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "learning rate"
    assert ax.get_title() == "lr_scheduler, cosine_decay_with_warmup"
    # a curve labelled with the bare schedule name shows its arguments
    assert _legend_texts(fig) == [
        "lr_scheduler(iterations=1000, lr=0.001, policy=onecycle)", "warmup"]
    # shown 1:1 (index page): no text below 12 px
    assert min(t.get_fontsize() for t in _texts(fig)) * fig.dpi / 72 >= 12
    assert ax.get_ylim()[0] == 0.0


def test_figure_title_can_be_set_or_emptied(plt):
    curve = preview.Curve("exp", "exponential_decay", EXP)
    assert preview.figure(curve, [0, 1], title="T").axes[0].get_title() == "T"
    assert preview.figure(curve, [0, 1], title="").axes[0].get_title() == ""

    def my_schedule(step):
        return tf.zeros_like(step, tf.float32)

    fig = preview.figure(my_schedule, [0, 1])
    assert fig.axes[0].get_title() == "my_schedule"
    assert _legend_texts(fig) == ["my_schedule"]


def test_constant_curve_looks_flat(plt):
    fig = preview.figure(("c", "constant_learning_rate",
                          dict(learning_rate=0.001)), np.arange(0, 1000, 10))
    bottom, top = fig.axes[0].get_ylim()
    # autoscaling gave 0.00096..0.00104, inventing variation
    assert bottom == 0.0 and top == pytest.approx(0.001 * 1.08)


def test_hidden_style_label_stays_in_the_legend(plt):
    fig = preview.figure([("_hidden", "exponential_decay", EXP),
                          ("shown", "exponential_decay",
                           dict(EXP, staircase=True))], range(30))
    assert _legend_texts(fig) == ["_hidden", "shown"]


def test_overlapping_curves_are_drawn_differently(plt):
    curve = ("a", "exponential_decay", EXP)
    fig = preview.figure([curve, ("b",) + curve[1:], ("c",) + curve[1:]],
                         range(30))
    lines = fig.axes[0].get_lines()
    styles = {(line.get_linestyle(), line.get_linewidth()) for line in lines}
    assert len(styles) == 3
    # the first (widest) is translucent and below the others
    assert lines[0].get_alpha() < 1 and lines[0].get_linewidth() == max(
        line.get_linewidth() for line in lines)
    assert [line.get_zorder() for line in lines] == sorted(
        line.get_zorder() for line in lines)


def test_logy_limits(plt):
    fig = preview.figure(("c", "constant_learning_rate",
                          dict(learning_rate=0.01)), range(10), logy=True)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylim() == pytest.approx((0.01 / 3, 0.03))


def test_logy_needs_a_positive_rate(plt):
    with pytest.raises(ValueError, match=r"^plot: `logy` must be False when "
                       r"no learning rate is > 0"):
        preview.figure(("zero", "constant_learning_rate",
                        dict(learning_rate=0.0)), range(10), logy=True)
    # a curve that starts at 0 (a warmup) is fine on a log axis
    fig = preview.figure(("w", "one_cycle", dict(learning_rate=0.1,
                                                 total_steps=100)),
                         range(100), logy=True)
    assert fig.axes[0].get_ylim()[0] > 0


@pytest.mark.parametrize("columns,logy,expected", [
    ([[0.001, 0.001]], False, (0.0, 0.00108)),
    ([[0.0, 1.0], [0.5, np.nan]], False, (0.0, 1.08)),
    ([[-1.0, 1.0]], False, (-1.16, 1.16)),
    ([[0.0, 0.0]], False, (0.0, 0.08)),
    ([[0.0, 0.1, 10.0]], True, (0.1 / 1.5, 15.0)),
    ([[np.nan]], False, None),
])
def test_y_limits(columns, logy, expected):
    limits = _style.y_limits(columns, logy)
    if expected is None:
        assert limits is None
    else:
        assert limits == pytest.approx(expected)


# ------------------------------------------------------------------ plot --

@pytest.mark.parametrize("name,magic", [
    ("lr.png", PNG_MAGIC), ("lr.pdf", b"%PDF"), ("lr.SVG", b"<?xml"),
    ("lr.eps", b"%!PS"), ("lr.jpg", b"\xff\xd8\xff"),
])
def test_plot_writes_the_format_of_the_suffix(tmp_path, plt, name, magic):
    path = tmp_path / name
    before = plt.get_fignums()
    out = preview.plot([("a", "cosine_decay", dict(learning_rate=0.1,
                                                   decay_steps=100)),
                        preview.Curve("b", step_fns.exponential_decay_fn(
                            0.1, 10, 0.9))], range(0, 200), str(path),
                       title="t", logy=True)
    assert out == str(path)
    assert path.read_bytes().startswith(magic)
    assert plt.get_fignums() == before  # the figure was closed


def test_plot_rejects_an_unknown_suffix_before_drawing(tmp_path, plt):
    calls = []

    def schedule(step):
        calls.append(step)
        return tf.zeros_like(step, tf.float32)

    for name in ("lr.xyz", "lr"):
        with pytest.raises(ValueError, match=r"^plot: `path` must be a file "
                           r"name ending in one of \.png, \.pdf"):
            preview.plot(schedule, [0, 1], str(tmp_path / name))
    assert calls == [] and list(tmp_path.iterdir()) == []


def test_plot_takes_a_pathlib_path(tmp_path, plt):
    path = tmp_path / "lr.png"
    preview.plot(("e", "exponential_decay", EXP), [0, 5], path)
    assert path.read_bytes().startswith(PNG_MAGIC)


# ----------------------------------------------------------- TensorBoard --

def _read_scalars(path):
    scalars, steps = {}, []
    for event in tf.compat.v1.train.summary_iterator(path):
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append(value.simple_value)
        if event.summary.value:
            steps.append(event.step)
    scalars["steps"] = steps
    return scalars


def test_write_tensorboard_reads_back(tmp_path):
    curves = [preview.Curve("exponential_decay_no_stair", "exponential_decay",
                            dict(EXP)),
              preview.Curve("exponential_decay_use_stair",
                            "exponential_decay", dict(EXP, staircase=True))]
    steps = np.arange(0, 40, 10)
    paths = preview.write_tensorboard(str(tmp_path), curves, steps)
    assert len(paths) == 1 and "exponential_decay" in paths[0]
    read = _read_scalars(paths[0])
    np.testing.assert_allclose(read["exponential_decay_no_stair"],
                               0.1 * 0.5 ** (steps / 10), rtol=1e-6)
    np.testing.assert_allclose(read["exponential_decay_use_stair"],
                               0.1 * 0.5 ** (steps // 10), rtol=1e-6)
    assert read["steps"] == list(steps)


def test_write_tensorboard_integer_valued_float_steps(tmp_path):
    paths = preview.write_tensorboard(
        str(tmp_path), ("e", "exponential_decay", EXP), [0.0, 10.0, 20.0])
    read = _read_scalars(paths[0])
    assert read["steps"] == [0, 10, 20]
    np.testing.assert_allclose(read["e"], [0.1, 0.05, 0.025], rtol=1e-6)


def test_write_tensorboard_rejects_fractional_steps_and_writes_nothing(
        tmp_path):
    with pytest.raises(ValueError, match=r"^write_tensorboard: `steps` must "
                       r"be integers.*steps=\[0\.2, 0\.5, 0\.7\]\.$"):
        preview.write_tensorboard(str(tmp_path), ("e", "exponential_decay",
                                                  EXP), [0.2, 0.5, 0.7])
    assert list(tmp_path.iterdir()) == []


