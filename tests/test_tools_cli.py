"""`tf1-schedules` (`tf1_schedules.tools.cli`): commands, parsing, and one
stderr line with exit status 2 for every bad input."""
import ast
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import tf1_schedules
from tf1_schedules.schedules import registry
from tf1_schedules.tools import cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _read_scalars(path):
    scalars = {}
    for event in tf.compat.v1.train.summary_iterator(path):
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append(value.simple_value)
    return scalars


def test_list(capsys):
    status, out, err = run_cli(capsys, "list")
    assert status == 0 and not err
    for name in registry.names():
        assert f"{name}(" in out
    assert "manual_stepping = piecewise_with_warmup" in out


def test_table(capsys):
    status, out, _ = run_cli(
        capsys, "table", "exponential_decay", "learning_rate=0.1",
        "decay_steps=10", "decay_rate=0.5", "exponential_decay",
        "label=stair", "learning_rate=0.1", "decay_steps=10",
        "decay_rate=0.5", "staircase=true", "--steps", "0,15,20")
    rows = [line.split() for line in out.splitlines()]
    assert status == 0
    assert rows[0] == ["step", "exponential_decay", "stair"]
    np.testing.assert_allclose(np.float64(rows[2][1:]),
                               [0.1 * 0.5 ** 1.5, 0.05], rtol=1e-5)
    status, out, _ = run_cli(capsys, "table", "piecewise_with_warmup",
                             "boundaries=[4,6,8]", "rates=[.02,.1,.01,.001]",
                             "warmup=True", "--steps", "0:9:4", "--csv")
    assert out.splitlines() == ["step,piecewise_with_warmup", "0,0.0199999996",
                                "4,0.100000001", "8,0.00100000005"]


@pytest.mark.parametrize("argv", [["--steps", "-5:0:2"], ["--steps=-5:0:2"],
                                  ["--steps", "-5,-3,-1"]])
def test_negative_steps(capsys, argv):
    status, out, err = run_cli(
        capsys, "table", "exponential_decay", "learning_rate=0.1",
        "decay_steps=10", "decay_rate=0.5", "--csv", *argv)
    assert status == 0, err
    rows = [line.split(",") for line in out.splitlines()[1:]]
    assert [int(r[0]) for r in rows] == [-5, -3, -1]
    np.testing.assert_allclose([float(r[1]) for r in rows],
                               0.1 * 0.5 ** (np.array([-5, -3, -1]) / 10),
                               rtol=1e-6)


def test_plot_pdf_and_tensorboard(capsys, tmp_path):
    pdf = tmp_path / "plot.pdf"
    status, out, _ = run_cli(
        capsys, "plot", "lr_scheduler", "iterations=1000", "lr=0.001",
        "policy=onecycle", "cosine_decay_with_warmup",
        "learning_rate_base=0.001", "total_steps=1000", "warmup_steps=100",
        "--steps", "0:1000:5", "-o", str(pdf))
    assert status == 0 and str(pdf) in out
    assert pdf.read_bytes().startswith(b"%PDF")
    status, out, _ = run_cli(capsys, "tensorboard", str(tmp_path / "tb"),
                             "one_cycle", "learning_rate=0.1",
                             "total_steps=100", "--steps", "0:100:10")
    assert status == 0
    read = _read_scalars(str(next((tmp_path / "tb" / "one_cycle").glob(
        "events.out.tfevents.*"))))
    assert len(read["one_cycle"]) == 10


BAD_COMMANDS = [
    ("unknown_name", ["table", "nope", "--steps", "0:3"], "unknown schedule"),
    ("missing_arg", ["table", "cosine_decay", "learning_rate=0.1", "--steps",
                     "0:3"], "decay_steps"),
    ("bad_value", ["table", "cosine_decay", "learning_rate=0.1",
                   "decay_steps=0", "--steps", "0:3"],
     "`decay_steps` must be > 0"),
    ("unknown_arg", ["plot", "cosine_decay", "learning_rate=0.1",
                     "decay_steps=5", "colour=red", "-o", "x.png"],
     "colour"),
    ("od_message", ["table", "manual_stepping", "boundaries=[0,3]",
                    "rates=[1.0,2.0,3.0]", "--steps", "0:3"],
     "First step cannot be zero."),
    ("bad_steps", ["table", "cosine_decay", "--steps", "a:b"],
     "`--steps` must be start:stop[:stride]"),
    ("empty_steps", ["table", "cosine_decay", "--steps", "5:1"],
     "at least one step"),
    ("param_first", ["table", "decay_steps=3", "--steps", "0:3"],
     "comes before any schedule name"),
    ("no_command", [], "required"),
    ("bad_option", ["plot", "cosine_decay", "-o", "x.png", "--nope"],
     "unrecognized arguments: --nope"),
    ("bad_points", ["gallery", "x", "--points", "1"],
     "render_gallery: `points` must be an integer >= 2"),
    ("zero_points", ["gallery", "x", "--points", "0"], "`points`"),
    ("int64_overflow", ["table", "cosine_decay", "learning_rate=0.1",
                        "decay_steps=5", "--steps", "9223372036854775808"],
     "int64 range"),
    ("huge_range", ["table", "cosine_decay", "learning_rate=0.1",
                    "decay_steps=5", "--steps", "0:10000000000"],
     f"at most {cli.MAX_STEPS} steps (10000000000 selected"),
    ("zero_stride", ["table", "cosine_decay", "--steps", "0:5:0"],
     "stride > 0"),
    ("key_twice", ["table", "cosine_decay", "learning_rate=0.1",
                   "decay_steps=10", "decay_steps=11", "--steps", "0"],
     "argument 'decay_steps' given twice for cosine_decay"),
    ("label_twice", ["table", "cosine_decay", "label=a", "label=b",
                     "learning_rate=0.1", "decay_steps=10", "--steps", "0"],
     "argument 'label' given twice"),
    ("empty_label", ["table", "cosine_decay", "label=", "learning_rate=0.1",
                     "decay_steps=10", "--steps", "0"],
     "a label must not be empty"),
    ("step_as_param", ["table", "cosine_decay", "learning_rate=0.1",
                       "decay_steps=10", "global_step=5", "--steps", "0"],
     "`global_step` must be left out"),
    ("bad_suffix", ["plot", "cosine_decay", "learning_rate=0.1",
                    "decay_steps=5", "-o", "lr.xyz"],
     "plot: `path` must be a file name ending in one of .png"),
    ("missing_dir", ["plot", "cosine_decay", "learning_rate=0.1",
                     "decay_steps=5", "-o", "/nonexistent_dir/lr.png"],
     "No such file or directory"),
]


@pytest.mark.parametrize("argv,message", [b[1:] for b in BAD_COMMANDS],
                         ids=[b[0] for b in BAD_COMMANDS])
def test_errors_exit_2_with_one_line(capsys, argv, message):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2 and not out
    assert len(err.splitlines()) == 1, err
    assert err.startswith("tf1-schedules: error: ") and message in err


def test_an_unexpected_error_is_not_hidden(monkeypatch):
    def broken(args, out):
        raise KeyError("bug")

    monkeypatch.setattr(cli, "_run", broken)
    with pytest.raises(KeyError):
        cli.main(["list"])


def test_parse_specs_labels():
    curves = cli.parse_specs(["one_cycle", "learning_rate=1e-3",
                              "total_steps=10", "one_cycle", "warm_up=0.5",
                              "learning_rate=1", "total_steps=10",
                              "lr_scheduler", "policy=step", "lr=none"])
    assert [c.label for c in curves] == [
        "one_cycle(learning_rate=0.001)",
        "one_cycle(learning_rate=1, warm_up=0.5)", "lr_scheduler"]
    assert curves[1].params == {"warm_up": 0.5, "learning_rate": 1,
                                "total_steps": 10}
    assert curves[2].params == {"policy": "step", "lr": None}
    same = cli.parse_specs(["cosine_decay", "decay_steps=5"] * 2
                           + ["cosine_decay", "label=mine"])
    assert [c.label for c in same] == ["cosine_decay[1]", "cosine_decay[2]",
                                       "mine"]


def test_parse_steps():
    assert cli.parse_steps("0:10:5").tolist() == [0, 5]
    assert cli.parse_steps("3,1").tolist() == [3, 1]
    assert cli.parse_steps("-2:1").tolist() == [-2, -1, 0]
    top = 2 ** 63 - 1
    assert cli.parse_steps(f"{top - 1}:{top}").tolist() == [top - 1]
    assert cli.parse_steps(f"0:{cli.MAX_STEPS}").size == cli.MAX_STEPS
    with pytest.raises(ValueError, match="at most"):
        cli.parse_steps(f"0:{cli.MAX_STEPS + 1}")


def test_run_is_the_legacy_launcher(capsys):
    status, out, err = run_cli(capsys, "run", "--no-such-flag")
    assert status == 2 and not out
    assert err.startswith("tf1-schedules run: ")


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
                   "decay_steps=10", "--steps", "-10,0,5,10")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split()[-2:] == ["10", "0"]
    # a MemoryError traceback before the step count was bounded
    bad = _python_m("table", "cosine_decay", "learning_rate=0.1",
                    "decay_steps=10", "--steps", "0:10000000000")
    assert bad.returncode == 2
    ours = [line for line in bad.stderr.splitlines()
            if line.startswith("tf1-schedules:")]
    assert len(ours) == 1 and "Traceback" not in bad.stderr
