"""The gallery: every schedule of the package with the parameters of the
recipes it comes from, as one PNG per schedule, an overview image and
index pages (`index.md`, `index.html`).

    >>> [item.name for item in GALLERY][:3]
    ['exponential_decay', 'natural_exp_decay', 'inverse_time_decay']
    >>> gallery_steps(GALLERY[0], points=5).tolist()
    [0, 5000, 10000, 15000, 20000]
"""
import html
import os
import textwrap
from typing import NamedTuple

import numpy as np

from tf1_schedules import _checks
from tf1_schedules.schedules import registry
from tf1_schedules.tools import _style
from tf1_schedules.tools.preview import Curve, arguments_text, values

__all__ = ["GalleryItem", "GALLERY", "gallery_steps", "item_figure",
           "overview_figure", "render_overview", "render_gallery",
           "SHOWN_WIDTH_PX"]

# The overview is drawn for a README, which shows images at most this wide.
SHOWN_WIDTH_PX = 880
_OVERVIEW_COLUMNS = 3
_OVERVIEW_FONT = {"title": 12, "label": 10, "tick": 10, "legend": 10}


class GalleryItem(NamedTuple):
    """A gallery figure: `curves` of one schedule over steps 0..`max_step`.

    `source` says where the parameters come from; each curve's label names
    the arguments in which it differs from the item's other curves.
    """
    name: str
    source: str
    max_step: int
    curves: tuple


def _c(label, name, **params):
    return Curve(label, name, params)


_TF1 = ("the TF1 decay tutorial's validation scripts (base rate 0.01, "
        "20,000 steps)")
_LIKE_TF1 = ("not in the recipes: the TF1 decay tutorial's parameters for "
             "{} (base rate 0.01, 20,000 steps)")
_POLICIES = "the LRScheduler README's example (lr=0.001, 100,000 iterations)"
_EXP = dict(learning_rate=0.01, decay_steps=2000, decay_rate=0.98)
_POLICY = dict(learning_rate=0.001, total_steps=100000)


def _stair_pair(name, source):
    return GalleryItem(name, source, 20000, (
        _c("staircase=False", name, **_EXP),
        _c("staircase=True", name, **_EXP, staircase=True)))


GALLERY = (
    _stair_pair("exponential_decay", _TF1),
    _stair_pair("natural_exp_decay", _TF1),
    _stair_pair("inverse_time_decay", _LIKE_TF1.format("exponential_decay")),
    GalleryItem("polynomial_decay", _TF1, 20000, tuple(
        _c(f"power={power}", "polynomial_decay", learning_rate=0.01,
           decay_steps=10000, end_learning_rate=0.00001, power=power)
        for power in (1.0, 0.5, 2.0))),
    GalleryItem("piecewise_constant", _TF1, 20000, (
        _c("piecewise_constant", "piecewise_constant",
           boundaries=[5000, 8000], values=[0.01, 0.001, 0.0001]),)),
    GalleryItem("cosine_decay", _TF1, 20000, (
        _c("cosine_decay", "cosine_decay", learning_rate=0.01,
           decay_steps=10000, alpha=0.001),)),
    GalleryItem("cosine_decay_restarts", _TF1, 20000, tuple(
        _c(f"t_mul={t:g}, m_mul={m:g}", "cosine_decay_restarts",
           learning_rate=0.01, first_decay_steps=5000, t_mul=t, m_mul=m,
           alpha=0.0001)
        for t, m in ((1.0, 1.0), (2.0, 1.0), (2.0, 0.5)))),
    GalleryItem("linear_cosine_decay", _TF1, 20000, tuple(
        _c(f"num_periods={periods:g}", "linear_cosine_decay",
           learning_rate=0.01, decay_steps=10000, num_periods=periods,
           alpha=0.001, beta=0.001)
        for periods in (0.5, 4.0))),
    GalleryItem("noisy_linear_cosine_decay",
                _LIKE_TF1.format("linear_cosine_decay") + ", seed=0",
                20000, (
        _c("noisy_linear_cosine_decay", "noisy_linear_cosine_decay",
           learning_rate=0.01, decay_steps=10000, alpha=0.001, beta=0.001,
           seed=0),)),
    GalleryItem("exponential_decay_with_burnin", _TF1, 20000, (
        _c("exponential_decay_with_burnin", "exponential_decay_with_burnin",
           learning_rate_base=0.01, learning_rate_decay_steps=2000,
           learning_rate_decay_factor=0.98, burnin_learning_rate=0.001,
           burnin_steps=2000, staircase=True),)),
    GalleryItem("exponential_decay_with_warmup",
                _LIKE_TF1.format("exponential_decay_with_burnin"), 20000, (
        _c("exponential_decay_with_warmup", "exponential_decay_with_warmup",
           learning_rate_base=0.01, learning_rate_decay_steps=2000,
           learning_rate_decay_factor=0.98, warmup_learning_rate=0.001,
           warmup_steps=2000, staircase=True),)),
    GalleryItem("piecewise_with_warmup", _TF1, 20000, (
        _c("warmup=False", "piecewise_with_warmup",
           boundaries=[5000, 8000], rates=[0.01, 0.001, 0.0001],
           warmup=False),
        _c("warmup=True (ramp to step 2000)", "piecewise_with_warmup",
           boundaries=[2000, 5000, 8000],
           rates=[0.00001, 0.01, 0.001, 0.0001], warmup=True))),
    GalleryItem("cosine_decay_with_warmup",
                _TF1 + "; the tutorial's alpha=1e-5 is alpha=0.001 of the "
                "base rate", 20000, tuple(
        _c(f"hold_base_rate_steps={hold}", "cosine_decay_with_warmup",
           learning_rate_base=0.01, total_decay_steps=15000, alpha=0.001,
           warmup_learning_rate=0.0001, warmup_steps=2000,
           hold_base_rate_steps=hold)
        for hold in (2000, 0))),
    GalleryItem("bert_learning_rate",
                "BERT's create_optimizer (10% warmup, as run_classifier "
                "does)", 20000, (
        _c("continuous=False", "bert_learning_rate", init_lr=0.01,
           num_train_steps=20000, num_warmup_steps=2000),
        _c("continuous=True", "bert_learning_rate", init_lr=0.01,
           num_train_steps=20000, num_warmup_steps=2000, continuous=True))),
    GalleryItem("constant_learning_rate", _POLICIES, 100000, (
        _c("constant_learning_rate", "constant_learning_rate",
           learning_rate=0.001),)),
    GalleryItem("step_decay_with_warmup", _POLICIES, 100000, (
        _c("warm_up=0.1", "step_decay_with_warmup", **_POLICY),
        _c("warm_up=0.5", "step_decay_with_warmup", **_POLICY,
           warm_up=0.5))),
    GalleryItem("cosine_annealing_warm_restarts", _POLICIES, 100000, (
        _c("cosine_annealing_warm_restarts", "cosine_annealing_warm_restarts",
           **_POLICY),)),
    GalleryItem("one_cycle", _POLICIES, 100000, (
        _c("one_cycle", "one_cycle", **_POLICY),)),
    GalleryItem("lr_scheduler", _POLICIES, 100000, tuple(
        _c(f"policy={policy}", "lr_scheduler", iterations=100000, lr=0.001,
           policy=policy) for policy in ("constant", "step", "cosine",
                                         "onecycle"))),
)


def _check_points(fn, points):
    if isinstance(points, (bool, np.bool_)) or not isinstance(
            points, (int, np.integer)):
        _checks.fail(fn, "points", "an integer >= 2", points, TypeError)
    if points < 2:
        _checks.fail(fn, "points", "an integer >= 2", points)
    return int(points)


def gallery_steps(item, points):
    """`points` evenly spaced integer steps from 0 to `item.max_step`
    (fewer when `max_step` is smaller), both ends included."""
    points = _check_points("gallery_steps", points)
    return np.unique(np.linspace(0, item.max_step, points).round()
                     .astype(np.int64))


def common_params(item):
    """The arguments every curve of `item` shares (in the first's order)."""
    first = item.curves[0].params
    return {k: v for k, v in first.items()
            if all(k in c.params and c.params[k] == v for c in item.curves)}


def _columns(item, steps):
    return [values(c.schedule, steps, **dict(c.params)) for c in item.curves]


def _draw(ax, item, steps, font, headroom=0.0):
    columns = _columns(item, steps)
    lines = _style.draw_lines(ax, steps, [(c.label, ys) for c, ys in
                                          zip(item.curves, columns)])
    _style.label_axes(ax, columns, font=font, headroom=headroom)
    return lines


def _long_label(curve, common):
    """`label: other arguments` for the arguments not in the subtitle."""
    rest = {k: v for k, v in curve.params.items()
            if k not in common and f"{k}=" not in curve.label}
    return f"{curve.label}: {arguments_text(rest)}" if rest else curve.label


def item_figure(item, points=2000):
    """The Figure of one gallery item (what `render_gallery` saves).

    Title: the schedule's name; below it, the arguments its curves share;
    a legend (below the axes) names what the curves differ in.
    """
    steps = gallery_steps(item, _check_points("item_figure", points))
    plt = _style.pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.8), dpi=100, layout="constrained")
    lines = _draw(ax, item, steps, _style.FONT)
    fig.suptitle(item.name, fontsize=_style.FONT["title"],
                 fontweight="bold")
    ax.set_title(textwrap.fill(arguments_text(common_params(item)), 80),
                 fontsize=_style.FONT["subtitle"])
    if len(lines) > 1:
        common = common_params(item)
        labels = [_long_label(c, common) for c in item.curves]
        fig.legend(lines, labels, loc="outside lower center",
                   ncols=1 if max(map(len, labels)) > 24 else len(lines),
                   fontsize=_style.FONT["legend"], frameon=False)
    return fig


def overview_figure(points=1000):
    """Every item of `GALLERY` in one grid (3 columns), sized to be read at
    `SHOWN_WIDTH_PX` pixels wide: no text smaller than about 10 px."""
    points = _check_points("overview_figure", points)
    rows = -(-len(GALLERY) // _OVERVIEW_COLUMNS)
    width = 12.0
    plt = _style.pyplot()
    fig, axes = plt.subplots(rows, _OVERVIEW_COLUMNS,
                             figsize=(width, 3.3 * rows),
                             dpi=SHOWN_WIDTH_PX / width,
                             layout="constrained")
    font = _OVERVIEW_FONT
    for ax, item in zip(axes.flat, GALLERY):
        rows = len(item.curves) if len(item.curves) > 1 else 0
        # Room above the curves for the legend (one entry a row), so that
        # it hides none of them.
        lines = _draw(ax, item, gallery_steps(item, points), font,
                      headroom=0.09 * rows + 0.03 if rows else 0.0)
        ax.set_title(item.name, fontsize=font["title"])
        if rows:
            ax.legend(lines, [c.label for c in item.curves],
                      loc="upper right", frameon=False,
                      fontsize=font["legend"], borderaxespad=0.2,
                      handlelength=2.2, labelspacing=0.25)
    for ax in list(axes.flat)[len(GALLERY):]:
        ax.axis("off")
    return fig


def _save(fig, path):
    try:
        fig.savefig(path)
    finally:
        _style.pyplot().close(fig)
    return path


def render_overview(path, *, points=1000):
    """Saves `overview_figure(points)` to `path` (PNG); returns `path`."""
    points = _check_points("render_overview", points)
    return _save(overview_figure(points), path)


def render_gallery(out_dir, *, points=2000):
    """One PNG per schedule of the package, `overview.png`, `index.md` and
    `index.html`.

    Parameters are those of the recipes the schedules come from (see
    `GALLERY`).

    Args:
      out_dir: output directory (created if missing).
      points: number of steps evaluated per curve (evenly spaced, >= 2).

    Returns:
      The path of `index.html`.
    """
    points = _check_points("render_gallery", points)
    os.makedirs(out_dir, exist_ok=True)
    for item in GALLERY:
        _save(item_figure(item, points),
              os.path.join(out_dir, f"{item.name}.png"))
    _save(overview_figure(min(points, 1000)),
          os.path.join(out_dir, "overview.png"))
    with open(os.path.join(out_dir, "index.md"), "w") as f:
        f.write(_index_md())
    path = os.path.join(out_dir, "index.html")
    with open(path, "w") as f:
        f.write(_index_html())
    return path


def _call_text(curve):
    return f"{curve.schedule}({arguments_text(curve.params)})"


_INTRO = ("Every schedule of the package with the parameters of the recipe "
          "it comes from. Regenerate with `tf1-schedules gallery DIR`.")


def _index_md():
    lines = ["# tf1_schedules gallery", "", _INTRO, "",
             "![all schedules](overview.png)", ""]
    for item in GALLERY:
        lines += [f"## `{item.name}`", "", f"{registry.get(item.name).summary}"
                  f" Parameters: {item.source}.", ""]
        lines += [f"* {c.label}: `{_call_text(c)}`" for c in item.curves]
        lines += ["", f"![{item.name}]({item.name}.png)", ""]
    return "\n".join(lines)


def _index_html():
    parts = ["<!doctype html><meta charset='utf-8'>",
             "<title>tf1_schedules gallery</title>",
             "<h1>tf1_schedules gallery</h1>",
             f"<p>{html.escape(_INTRO)}</p>",
             "<img src='overview.png' alt='all schedules'>"]
    for item in GALLERY:
        name = html.escape(item.name)
        parts.append(f"<h2 id='{name}'>{name}</h2><p>"
                     f"{html.escape(registry.get(item.name).summary)} "
                     f"Parameters: {html.escape(item.source)}.</p><ul>")
        parts += [f"<li>{html.escape(c.label)}: <code>"
                  f"{html.escape(_call_text(c))}</code></li>"
                  for c in item.curves]
        parts.append(f"</ul><img src='{name}.png' alt='{name}'>")
    return "\n".join(parts) + "\n"
