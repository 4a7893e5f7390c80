"""How every learning-rate figure of the package looks (matplotlib, Agg).

One place for the font sizes, the line styles that keep overlapping curves
visible, the step/rate tick labels and the y-range rule:

* y-limits start at 0 (learning rates are compared with 0, and a flat curve
  must look flat: autoscaling a constant 0.001 gives 0.00096-0.00104, which
  invents variation) and end a margin above the highest value;
* curves are drawn in turn as a wide translucent solid line, then dashed,
  dotted and dash-dotted lines on top, so a curve hidden under another still
  shows.
"""
import numpy as np

__all__ = ["FONT", "LINE_STYLES", "pyplot", "y_limits", "draw_lines",
           "label_axes"]

# Points. Figures are sized so that, at the size they are shown (1:1 on the
# gallery's index page, at most ~880 px wide in a README), no text is below
# about 10 px.
FONT = {"title": 13, "subtitle": 10.5, "label": 11, "tick": 10, "legend": 10}

# (linestyle, linewidth, alpha), in drawing order.
LINE_STYLES = (("-", 3.2, 0.55), ("--", 2.0, 1.0), (":", 2.4, 1.0),
               ("-.", 1.8, 1.0), ((0, (5, 1, 1, 1, 1, 1)), 1.6, 1.0))
SINGLE = ("-", 2.0, 1.0)  # a curve alone needs no room for others
MARGIN = 0.08


def pyplot():
    """`matplotlib.pyplot` on the Agg backend (no display needed)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    return plt


def y_limits(columns, logy=False):
    """(bottom, top) for the learning rates `columns`, or None if unknown.

    Linear axis: from `min(0, lowest)` to `highest`, plus a margin of 8% of
    that span (a flat curve at 0.001 gets 0-0.00108). Log axis: the positive
    values' range widened by a factor 1.5 (3 when flat).
    """
    data = np.concatenate([np.ravel(c) for c in columns]).astype(np.float64)
    data = data[np.isfinite(data)]
    if logy:
        data = data[data > 0]
    if data.size == 0:
        return None
    low, high = float(data.min()), float(data.max())
    if logy:
        factor = 3.0 if low == high else 1.5
        return low / factor, high * factor
    bottom, top = min(0.0, low), max(0.0, high)
    span = (top - bottom) or 1.0
    return (bottom - MARGIN * span if bottom < 0 else 0.0,
            top + MARGIN * span)


def _step_text(x, _=None):
    if x != 0 and abs(x) >= 1000 and float(x) % 1000 == 0:
        return f"{x / 1000:g}k"
    return f"{x:g}"


def _rate_text(y, _=None):
    return f"{y:.3g}"


def draw_lines(ax, steps, lines):
    """Plots `lines` (label, values) against `steps` in the package's styles.

    Several curves: the first as a wide translucent solid line, the others
    dashed, dotted, ... on top of it. Returns the Line2D objects, in order.
    """
    lines = list(lines)
    drawn = []
    for i, (label, ys) in enumerate(lines):
        style, width, alpha = (SINGLE if len(lines) == 1 else
                               LINE_STYLES[i % len(LINE_STYLES)])
        line, = ax.plot(steps, ys, linestyle=style, linewidth=width,
                        alpha=alpha, label=label, zorder=2 + i)
        drawn.append(line)
    return drawn


def label_axes(ax, columns, *, logy=False, font=FONT, headroom=0.0):
    """Axis labels, tick formats, grid and honest y-limits; `headroom`: the
    fraction of the axes' height kept free above the curves (for a legend
    that must not hide them)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.set_xlabel("step", fontsize=font["label"])
    ax.set_ylabel("learning rate", fontsize=font["label"])
    ax.tick_params(labelsize=font["tick"])
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(FuncFormatter(_step_text))
    if logy:
        ax.set_yscale("log")
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(_rate_text))
    limits = y_limits(columns, logy)
    if limits is not None:
        bottom, top = limits
        if headroom and not logy:
            top = bottom + (top - bottom) / (1.0 - headroom)
        ax.set_ylim(bottom, top)
    ax.grid(alpha=0.3)
