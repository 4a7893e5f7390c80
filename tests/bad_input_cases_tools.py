"""Catalogue rows of the tools layer: `preview`, `gallery`, the CLI's
`--steps` parser (see `tests/bad_input_cases.py` for the row format)."""
import tempfile

from tests.bad_input_cases import c
from tf1_schedules.tools import cli, gallery, preview

_EXP = dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5)
_CURVE = preview.Curve("exp", "exponential_decay", _EXP)


def _logdir():
    return {"logdir": tempfile.mkdtemp(prefix="tb_rows_")}


def _steps_row(text):
    return c("cli.parse_steps", f"--steps={text!r}", ValueError,
             lambda e: cli.parse_steps(text), where="tf1-schedules")


CASES = [
    # values: steps that are not finite, or do not fit int64 (a uint64
    # 2**63 used to wrap to -2**63), and None as the schedule (it used to
    # be dispatched to `lr_scheduler`, whose registry entry has no TF1
    # function).
    c("preview.values", "steps=[nan]", ValueError,
      lambda e: preview.values("exponential_decay", [float("nan")], **_EXP)),
    c("preview.values", "steps=[0, inf]", ValueError,
      lambda e: preview.values("exponential_decay", [0, float("inf")],
                               **_EXP)),
    c("preview.values", "steps=[9223372036854775808]", ValueError,
      lambda e: preview.values("exponential_decay", [2 ** 63], **_EXP)),
    c("preview.values", "steps=[-9223372036854775809]", ValueError,
      lambda e: preview.values("exponential_decay", [-2 ** 63 - 1], **_EXP)),
    c("preview.values", "schedule_or_name=None", TypeError,
      lambda e: preview.values(None, [0])),
    c("preview.values", "params={'a': 1}", TypeError,
      lambda e: preview.values(lambda s: s, [0], a=1)),
    # the step argument among the parameters was silently ignored
    c("preview.values", "global_step=5", TypeError,
      lambda e: preview.values("exponential_decay", [0], global_step=5,
                               **_EXP)),
    c("preview.values", "x=5 (piecewise_constant's step)", TypeError,
      lambda e: preview.values("piecewise_constant", [0], x=5,
                               boundaries=[1], values=[1.0, 2.0]),
      shows="x=5"),
    # plot: the suffix picks the format (lr.pdf used to get PNG bytes)
    c("preview.plot", "path='lr.xyz'", ValueError,
      lambda e: preview.plot(_CURVE, [0, 1], "lr.xyz")),
    c("preview.plot", "path='lr'", ValueError,
      lambda e: preview.plot(_CURVE, [0, 1], "lr")),
    c("preview.plot", "path=5", TypeError,
      lambda e: preview.plot(_CURVE, [0, 1], 5)),
    c("preview.plot", "steps=[nan]", ValueError,
      lambda e: preview.plot(_CURVE, [float("nan")], "lr.png")),
    c("preview.plot", "label=5", TypeError,
      lambda e: preview.plot([(5, "exponential_decay", _EXP)], [0, 1],
                             "lr.png")),
    c("preview.plot", "logy=True (no rate > 0)", ValueError,
      lambda e: preview.plot(("zero", "constant_learning_rate",
                              dict(learning_rate=0.0)), [0, 1], "lr.png",
                             logy=True), shows="logy=True"),
    c("preview.plot", "curves=[]", ValueError,
      lambda e: preview.plot([], [0, 1], "lr.png")),
    # write_tensorboard: event steps are int64 (0.2, 0.5, 0.7 used to be
    # written as step 0 three times)
    c("preview.write_tensorboard", "steps=[0.2, 0.5, 0.7]", ValueError,
      lambda e: preview.write_tensorboard(e["logdir"], _CURVE,
                                          [0.2, 0.5, 0.7]),
      prepare=_logdir),
    c("preview.write_tensorboard", "steps=[1.0, nan]", ValueError,
      lambda e: preview.write_tensorboard(e["logdir"], _CURVE,
                                          [1.0, float("nan")]),
      prepare=_logdir),
    c("preview.write_tensorboard", "steps=[1e+19]", ValueError,
      lambda e: preview.write_tensorboard(e["logdir"], _CURVE, [1e19]),
      prepare=_logdir),
    # gallery: points=0 used to raise ZeroDivisionError
    c("gallery.render_gallery", "points=0", ValueError,
      lambda e: gallery.render_gallery(tempfile.mkdtemp(), points=0)),
    c("gallery.render_gallery", "points=1", ValueError,
      lambda e: gallery.render_gallery(tempfile.mkdtemp(), points=1)),
    c("gallery.render_gallery", "points=2.5", TypeError,
      lambda e: gallery.render_gallery(tempfile.mkdtemp(), points=2.5)),
    c("gallery.render_gallery", "points=True", TypeError,
      lambda e: gallery.render_gallery(tempfile.mkdtemp(), points=True)),
    c("gallery.render_overview", "points=-3", ValueError,
      lambda e: gallery.render_overview("overview.png", points=-3)),
    # the CLI's --steps: an int64 overflow and a 10**10-step range used to
    # end in OverflowError / MemoryError tracebacks
    _steps_row("9223372036854775808"),
    _steps_row("-9223372036854775809:0"),
    _steps_row("0:10000000000"),
    _steps_row("0:5:0"),
    _steps_row("0:5:-1"),
    _steps_row("5:1"),
    _steps_row("a:b"),
    _steps_row("1,,2"),
    _steps_row("0:1:2:3"),
]
