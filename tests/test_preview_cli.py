"""values(), plots, the gallery, TensorBoard export and the command line."""
import ast
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules
from tf1_schedules.tools import cli
from tf1_schedules.schedules import compose
from tf1_schedules.schedules import decay
from tf1_schedules.tools import preview
from tf1_schedules.schedules import registry
from tf1_schedules.schedules import step_fns

ROOT = pathlib.Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXP = dict(learning_rate=0.1, decay_steps=10, decay_rate=0.5)


# ----------------------------------------------------------------- values --

def test_values_by_name_and_by_function():
    steps = [0, 5, 10, 20]
    expected = [decay.exponential_decay(0.1, s, 10, 0.5)().numpy()
                for s in steps]
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
    expected = preview.values("cosine_decay", steps, learning_rate=0.1,
                              decay_steps=30)
    for schedule in (eager, keras_schedule, step_fns.cosine_decay_fn(0.1, 30)):
        np.testing.assert_allclose(preview.values(schedule, steps), expected,
                                   rtol=1e-6)


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


@pytest.mark.parametrize("call,exc,match", [
    (lambda: preview.values("nope", [1]), ValueError, "unknown schedule"),
    (lambda: preview.values("cosine_decay", [1], learning_rate=0.1),
     TypeError, "missing 1 required positional argument: 'decay_steps'"),
    (lambda: preview.values(compose.constant(1.0), [1], a=1), TypeError,
     "parameters are only accepted"),
    (lambda: preview.values("cosine_decay", [[1, 2]], learning_rate=0.1,
                            decay_steps=5), TypeError, "1-D sequence"),
    (lambda: preview.values(3.0, [1]), TypeError, "step function"),
])
def test_values_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------- plot, export --

def test_plot_writes_a_png(tmp_path):
    path = tmp_path / "lr.png"
    preview.plot([("a", "cosine_decay", dict(learning_rate=0.1,
                                             decay_steps=100)),
                  preview.Curve("b", step_fns.exponential_decay_fn(
                      0.1, 10, 0.9))], range(0, 200), str(path), title="t",
                 logy=True)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 2000


def test_write_tensorboard_reads_back(tmp_path):
    curves = [preview.Curve("exponential_decay_no_stair", "exponential_decay",
                            dict(EXP)),
              preview.Curve("exponential_decay_use_stair",
                            "exponential_decay", dict(EXP, staircase=True))]
    steps = np.arange(0, 40, 10)
    paths = preview.write_tensorboard(str(tmp_path), curves, steps)
    assert len(paths) == 1 and "exponential_decay" in paths[0]
    read = _read_scalars(paths[0])
    for curve in curves:
        np.testing.assert_allclose(
            read[curve.label], preview.values(
                curve.schedule, steps, **curve.params), rtol=1e-6)
    assert sorted(read["steps"]) == list(steps)


def _read_scalars(path):
    scalars, steps = {}, set()
    for event in tf.compat.v1.train.summary_iterator(path):
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append(value.simple_value)
            steps.add(event.step)
    scalars["steps"] = steps
    return scalars


# ------------------------------------------------------------------- CLI --

def run_cli(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_list(capsys):
    status, out, err = run_cli(capsys, "list")
    assert status == 0 and not err
    for name in registry.names():
        assert f"{name}(" in out
    assert "manual_stepping = piecewise_with_warmup" in out


def test_cli_table(capsys):
    status, out, _ = run_cli(
        capsys, "table", "exponential_decay", "learning_rate=0.1",
        "decay_steps=10", "decay_rate=0.5", "exponential_decay",
        "label=stair", "learning_rate=0.1", "decay_steps=10",
        "decay_rate=0.5", "staircase=true", "--steps", "0,15,20")
    rows = [line.split() for line in out.splitlines()]
    assert status == 0
    assert rows[0] == ["step", "exponential_decay", "stair"]
    np.testing.assert_allclose(np.float64(rows[2][1:]), [0.0353553, 0.05],
                               rtol=1e-5)
    status, out, _ = run_cli(capsys, "table", "piecewise_with_warmup",
                             "boundaries=[4,6,8]", "rates=[.02,.1,.01,.001]",
                             "warmup=True", "--steps", "0:9:4", "--csv")
    assert out.splitlines() == ["step,piecewise_with_warmup", "0,0.0199999996",
                                "4,0.100000001", "8,0.00100000005"]


def test_cli_plot_and_tensorboard(capsys, tmp_path):
    png = tmp_path / "plot.png"
    status, out, _ = run_cli(
        capsys, "plot", "lr_scheduler", "iterations=1000", "lr=0.001",
        "policy=onecycle", "cosine_decay_with_warmup",
        "learning_rate_base=0.001", "total_steps=1000", "warmup_steps=100",
        "--steps", "0:1000:5", "-o", str(png))
    assert status == 0 and str(png) in out
    assert png.read_bytes().startswith(PNG_MAGIC) and png.stat().st_size > 2000
    status, out, _ = run_cli(capsys, "tensorboard", str(tmp_path / "tb"),
                             "one_cycle", "learning_rate=0.1",
                             "total_steps=100", "--steps", "0:100:10")
    assert status == 0
    read = _read_scalars(str(next((tmp_path / "tb" / "one_cycle").glob(
        "events.out.tfevents.*"))))
    assert len(read["one_cycle"]) == 10


def test_cli_gallery_renders_every_schedule(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "gallery", str(tmp_path), "--points",
                             "60")
    assert status == 0
    index_md = (tmp_path / "index.md").read_text()
    index_html = (tmp_path / "index.html").read_text()
    for name in registry.names():
        png = tmp_path / f"{name}.png"
        assert png.read_bytes().startswith(PNG_MAGIC)
        assert f"({name}.png)" in index_md and f"'{name}.png'" in index_html


BAD_COMMANDS = [
    ("unknown_name", ["table", "nope", "--steps", "0:3"], "unknown schedule"),
    ("missing_arg", ["table", "cosine_decay", "learning_rate=0.1", "--steps",
                     "0:3"], "missing 1 required positional argument"),
    ("bad_value", ["table", "cosine_decay", "learning_rate=0.1",
                   "decay_steps=0", "--steps", "0:3"],
     "`decay_steps` must be > 0"),
    ("unknown_arg", ["plot", "cosine_decay", "learning_rate=0.1",
                     "decay_steps=5", "colour=red", "-o", "x.png"],
     "unexpected keyword argument 'colour'"),
    ("od_message", ["table", "manual_stepping", "boundaries=[0,3]",
                    "rates=[1.0,2.0,3.0]", "--steps", "0:3"],
     "First step cannot be zero."),
    ("bad_steps", ["table", "cosine_decay", "--steps", "a:b"], "bad --steps"),
    ("empty_steps", ["table", "cosine_decay", "--steps", "5:1"],
     "selects no step"),
    ("param_first", ["table", "decay_steps=3", "--steps", "0:3"],
     "comes before any schedule name"),
    ("no_command", [], "required"),
    ("bad_option", ["plot", "cosine_decay", "-o", "x.png", "--nope"],
     "unrecognized arguments: --nope"),
    ("bad_points", ["gallery", "x", "--points", "1"], "--points"),
]


@pytest.mark.parametrize("argv,message", [b[1:] for b in BAD_COMMANDS],
                         ids=[b[0] for b in BAD_COMMANDS])
def test_cli_errors_exit_2_with_one_line(capsys, argv, message):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2 and not out
    assert len(err.splitlines()) == 1
    assert err.startswith("tf1-schedules: error: ") and message in err


def test_cli_parsing_helpers():
    curves = cli.parse_specs(["one_cycle", "learning_rate=1e-3",
                              "total_steps=10", "one_cycle", "warm_up=0.5",
                              "learning_rate=1", "total_steps=10",
                              "lr_scheduler", "policy=step", "lr=none"])
    assert [c.label for c in curves] == ["one_cycle[1]", "one_cycle[2]",
                                         "lr_scheduler"]
    assert curves[1].params == {"warm_up": 0.5, "learning_rate": 1,
                                "total_steps": 10}
    assert curves[2].params == {"policy": "step", "lr": None}
    assert cli.parse_steps("0:10:5").tolist() == [0, 5]
    assert cli.parse_steps("3,1").tolist() == [3, 1]


def test_console_script_is_declared():
    setup = ast.parse((ROOT / "setup.py").read_text())
    text = ast.unparse(setup)
    assert "tf1-schedules=tf1_schedules.tools.cli:main" in text
    assert callable(tf1_schedules.tools.cli.main)


def _python_m(*argv):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "tf1_schedules", *argv],
                          capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


@pytest.mark.slow
def test_python_m_runs_the_cli():
    ok = _python_m("table", "cosine_decay", "learning_rate=0.1",
                   "decay_steps=10", "--steps", "0,5,10")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split()[-2:] == ["10", "0"]
    bad = _python_m("plot", "no_such_schedule", "-o", "x.png")
    assert bad.returncode == 2
    ours = [line for line in bad.stderr.splitlines()
            if line.startswith("tf1-schedules:")]
    assert len(ours) == 1 and "unknown schedule 'no_such_schedule'" in ours[0]
    assert "Traceback" not in bad.stderr
