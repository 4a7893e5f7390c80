"""`tf1_schedules.tools.gallery`: the gallery's pictures and index pages.

The pictures are checked on the matplotlib objects: every text readable at
the size the picture is shown, axes labelled, y-limits from 0 (a flat
curve looks flat), legends that name the curves' arguments and hide none
of them, overlapping curves drawn differently.
"""
import os
import pathlib
import runpy

import numpy as np
import pytest
from matplotlib.text import Text

from tf1_schedules.schedules import registry
from tf1_schedules.tools import _style
from tf1_schedules.tools import cli
from tf1_schedules.tools import gallery

ROOT = pathlib.Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MIN_PX = 10  # the smallest text, in pixels where it is shown


def _texts(fig):
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


def shown_px(fig, points, shown_width=None):
    """Pixels of a `points`-sized text when the figure is shown at most
    `shown_width` pixels wide (at its own size when None)."""
    width = fig.get_figwidth() * fig.dpi
    scale = 1.0 if shown_width is None else min(1.0, shown_width / width)
    return points * fig.dpi / 72 * scale


def _full_params(curve):
    """A curve's arguments with the factory's defaults filled in."""
    defaults = {k: p.default for k, p in
                registry.get(curve.schedule).parameters.items()
                if p.default is not p.empty}
    return {**defaults, **curve.params}


@pytest.fixture(scope="module")
def overview():
    fig = gallery.overview_figure(points=60)
    fig.canvas.draw()
    yield fig
    _style.pyplot().close(fig)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """`tf1-schedules gallery DIR --points 40`, once."""
    out = tmp_path_factory.mktemp("gallery")
    assert cli.main(["gallery", str(out), "--points", "40"]) == 0
    return out


def _panels(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison]


# --------------------------------------------------------------- overview --

def test_overview_text_is_readable_in_a_readme(overview):
    sizes = [t.get_fontsize() for t in _texts(overview)]
    assert len(sizes) > 100
    assert shown_px(overview, min(sizes), gallery.SHOWN_WIDTH_PX) >= MIN_PX
    # 4-5 pt legends before
    legends = [t.get_fontsize() for ax in _panels(overview)
               if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert shown_px(overview, min(legends), gallery.SHOWN_WIDTH_PX) >= MIN_PX


def test_overview_panels_are_labelled(overview):
    panels = _panels(overview)
    assert [ax.get_title() for ax in panels] == [i.name for i in
                                                 gallery.GALLERY]
    for ax in panels:
        assert ax.get_xlabel() == "step"
        assert ax.get_ylabel() == "learning rate"


def test_overview_y_limits_start_at_zero(overview):
    for ax, item in zip(_panels(overview), gallery.GALLERY):
        bottom, top = ax.get_ylim()
        highest = max(np.nanmax(line.get_ydata()) for line in ax.get_lines())
        lowest = min(np.nanmin(line.get_ydata()) for line in ax.get_lines())
        # 0, or below a negative value (the noisy decay's noise)
        assert bottom == 0.0 or bottom < lowest < 0, item.name
        assert highest < top <= 2 * highest, item.name  # legend room
    constant = _panels(overview)[
        [i.name for i in gallery.GALLERY].index("constant_learning_rate")]
    # autoscaled to 0.00096..0.00104 before, a flat line looking like noise
    assert constant.get_ylim() == pytest.approx((0.0, 0.00108))


def test_overview_legends_name_the_curves_and_hide_none(overview):
    renderer = overview.canvas.get_renderer()
    for ax, item in zip(_panels(overview), gallery.GALLERY):
        legend = ax.get_legend()
        if len(item.curves) == 1:
            assert legend is None, item.name
            continue
        assert [t.get_text() for t in legend.get_texts()] == [
            c.label for c in item.curves]
        box = legend.get_window_extent(renderer)
        for line in ax.get_lines():
            xy = ax.transData.transform(np.column_stack(
                [line.get_xdata(), line.get_ydata()]))
            inside = ((xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1)
                      & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1))
            assert not inside.any(), (item.name, line.get_label())


def test_overview_overlapping_curves_are_distinguishable(overview):
    for ax, item in zip(_panels(overview), gallery.GALLERY):
        styles = [(str(line.get_linestyle()), line.get_linewidth())
                  for line in ax.get_lines()]
        assert len(set(styles)) == len(styles), item.name


def test_labels_name_the_arguments_the_curves_differ_in():
    for item in gallery.GALLERY:
        labels = [c.label for c in item.curves]
        assert len(set(labels)) == len(labels), item.name
        if len(item.curves) == 1:
            assert labels == [item.name]
            continue
        full = [_full_params(c) for c in item.curves]
        differing = {k for k in full[0] if len({repr(f.get(k))
                                                for f in full}) > 1}
        for curve in item.curves:
            named = [k for k in differing if f"{k}=" in curve.label]
            assert named, (item.name, curve.label, differing)


def test_sources_say_where_the_parameters_come_from():
    for item in gallery.GALLERY:
        assert "seed" not in item.source.replace("seed=0", ""), item.name


# ---------------------------------------------------------- one schedule --

@pytest.mark.parametrize("name", ["piecewise_with_warmup",
                                  "cosine_decay_restarts",
                                  "constant_learning_rate"])
def test_item_figure(name):
    item = next(i for i in gallery.GALLERY if i.name == name)
    fig = gallery.item_figure(item, points=50)
    try:
        fig.canvas.draw()
        ax, = fig.axes
        assert fig.get_suptitle() == name
        assert ax.get_xlabel() == "step"
        assert ax.get_ylabel() == "learning rate"
        assert ax.get_ylim()[0] == 0.0
        common = gallery.common_params(item)
        for key in common:
            assert f"{key}=" in ax.get_title()
        # the index page shows the PNG 1:1
        sizes = [t.get_fontsize() for t in _texts(fig)]
        assert shown_px(fig, min(sizes)) >= 12
        texts = [t.get_text() for legend in fig.legends
                 for t in legend.get_texts()]
        if len(item.curves) == 1:
            assert texts == []
        else:
            for curve, text in zip(item.curves, texts):
                assert text.startswith(curve.label)
                for key in curve.params:  # every argument is on the picture
                    assert f"{key}=" in text + ax.get_title()
    finally:
        _style.pyplot().close(fig)


def test_gallery_steps_include_both_ends():
    item = gallery.GALLERY[0]
    steps = gallery.gallery_steps(item, 3)
    assert steps.tolist() == [0, item.max_step // 2, item.max_step]
    assert gallery.gallery_steps(item, 10 ** 6).size == item.max_step + 1


# ------------------------------------------------------------- rendering --

def test_render_gallery_writes_every_schedule(rendered):
    index_md = (rendered / "index.md").read_text()
    index_html = (rendered / "index.html").read_text()
    for name in registry.names():
        assert (rendered / f"{name}.png").read_bytes().startswith(PNG_MAGIC)
        assert f"({name}.png)" in index_md and f"'{name}.png'" in index_html
    assert (rendered / "overview.png").read_bytes().startswith(PNG_MAGIC)
    assert "(overview.png)" in index_md and "'overview.png'" in index_html
    for item in gallery.GALLERY:
        for curve in item.curves:
            assert f"* {curve.label}: `{curve.schedule}(" in index_md
    # "seed 002/004" meant nothing to a reader
    assert "seed 0" not in index_md and "seed 0" not in index_html


@pytest.mark.parametrize("points,error", [(0, ValueError), (1, ValueError),
                                          (-5, ValueError), (2.0, TypeError),
                                          (True, TypeError)])
def test_render_gallery_rejects_bad_points_before_writing(tmp_path, points,
                                                          error):
    out = tmp_path / "never"
    with pytest.raises(error, match=r"^render_gallery: `points` must be an "
                       r"integer >= 2\. Received: points="):
        gallery.render_gallery(str(out), points=points)
    assert not out.exists()


def test_render_overview(tmp_path):
    path = gallery.render_overview(str(tmp_path / "o.png"), points=5)
    assert open(path, "rb").read(8) == PNG_MAGIC
    with pytest.raises(ValueError, match="render_overview: `points`"):
        gallery.render_overview(str(tmp_path / "p.png"), points=0)
    assert not (tmp_path / "p.png").exists()


# ------------------------------------------------- the demo's curves.png --

def _history(steps, lr):
    return {"step": list(range(steps)), "loss": list(np.linspace(2, .01,
                                                                 steps)),
            "eval_step": [0, steps], "eval_loss": [2.0, 0.05],
            "eval_accuracy": [0.2, 0.95], **lr}


# Slow: loading scripts/demo.py imports `tf1_schedules.slim_compat`, which
# patches tf_slim for the rest of the session (as test_demo's tests do).
@pytest.mark.slow
def test_demo_curves_figure_is_readable_in_a_readme():
    demo = runpy.run_path(os.path.join(ROOT, "scripts", "demo.py"),
                          run_name="demo")
    pre = _history(100, {"lr_pretrain": list(np.linspace(0.05, 0, 100))})
    ft = _history(50, {"lr_head": list(np.linspace(0.05, 0, 50)),
                       "lr_backbone": list(np.linspace(0.005, 0, 50))})
    fig = demo["curves_figure"](pre, ft, {"pretrain": 1.0, "before": 0.2,
                                          "after": 0.98})
    try:
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in _texts(fig)]
        assert shown_px(fig, min(sizes), gallery.SHOWN_WIDTH_PX) >= MIN_PX
        for ax in fig.axes:
            assert ax.get_xlabel() == "step" and ax.get_ylabel()
            assert ax.get_legend() is not None
        assert fig.axes[0].get_ylim()[0] == 0.0
    finally:
        _style.pyplot().close(fig)
