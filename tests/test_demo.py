"""`scripts/demo.py` end to end with tiny step counts, then its outputs.

The demo runs once, in a subprocess; the tests read its checkpoints
(`tf.train.load_variable`), TensorBoard events, PNGs and `summary.json`.
"""
import json
import os
import re
import runpy

import numpy as np
import pytest
import tensorflow as tf

from tests.test_legacy_examples import ROOT, read_events, run_python

pytestmark = pytest.mark.slow  # child processes: skipped by -m 'not slow'

PRETRAIN, FINETUNE, WARMUP, EVERY = 60, 40, 8, 20
MULTIPLIER, LR = 0.2, 0.05
ACCURACY = re.compile(r"held-out accuracy on digits 5-9 before: ([0-9.]+), "
                      r"after: ([0-9.]+)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("demo"))
    proc = run_python(
        "scripts/demo.py", "--out", out, "--pretrain-steps", str(PRETRAIN),
        "--finetune-steps", str(FINETUNE), "--warmup-steps", str(WARMUP),
        "--eval-every", str(EVERY), "--ckpt-every", str(EVERY),
        "--log-every", "1", "--lr", str(LR),
        "--backbone-multiplier", str(MULTIPLIER), "--gallery-points", "40",
        "--no-progress")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, proc.stdout


def ckpt(demo, phase, step):
    return os.path.join(demo[0], phase, f"model.ckpt-{step}")


def load(path, name):
    return tf.train.load_variable(path, name)


def backbone_names(path):
    """Model variables outside the new head (no slots, no global step)."""
    return [name for name, _ in tf.train.list_variables(path)
            if name.startswith("net/") and not name.startswith("net/logits")
            and "Momentum" not in name]


def test_prints_accuracies_well_above_chance(demo):
    before, after = map(float, ACCURACY.search(demo[1]).groups())
    pretrain = float(re.search(r"accuracy on digits 0-4: ([0-9.]+)",
                               demo[1]).group(1))
    assert pretrain > 0.8
    assert before < 0.5          # a fresh head: about chance (0.2)
    assert after > 0.8           # chance is 0.2
    summary = json.load(open(os.path.join(demo[0], "summary.json")))
    assert summary["accuracy"] == pytest.approx(
        {"pretrain": pretrain, "before": before, "after": after}, abs=1e-4)


def test_writes_checkpoints(demo):
    for phase, steps in (("pretrain", [EVERY, 2 * EVERY, PRETRAIN]),
                         ("finetune", [0, EVERY, FINETUNE])):
        for step in steps:
            assert os.path.isfile(ckpt(demo, phase, step) + ".index")
    assert tf.train.latest_checkpoint(os.path.join(demo[0], "finetune")) \
        == ckpt(demo, "finetune", FINETUNE)
    assert load(ckpt(demo, "pretrain", PRETRAIN), "global_step") == PRETRAIN
    assert load(ckpt(demo, "finetune", FINETUNE), "global_step") == FINETUNE


def test_restored_backbone_equals_pretrained_checkpoint(demo):
    pretrained = ckpt(demo, "pretrain", PRETRAIN)
    before = ckpt(demo, "finetune", 0)
    names = backbone_names(pretrained)
    assert {"net/conv1/weights", "net/conv1/BatchNorm/moving_mean",
            "net/fc3/BatchNorm/moving_variance"} <= set(names)
    for name in names:
        np.testing.assert_array_equal(load(before, name),
                                      load(pretrained, name), err_msg=name)
    # The new head is excluded from the restore: freshly initialised.
    assert not np.array_equal(load(before, "net/logits/weights"),
                              load(pretrained, "net/logits/weights"))
    assert "fine-tune: restored 12 variables, equal to the checkpoint: True" \
        in demo[1]


def test_finetuning_changes_batch_norm_statistics_and_weights(demo):
    before = ckpt(demo, "finetune", 0)
    after = ckpt(demo, "finetune", FINETUNE)
    names = backbone_names(before)
    moving = [n for n in names if "moving_" in n]
    assert len(moving) == 6
    for name in names:   # moving statistics and trained backbone weights
        assert not np.allclose(load(before, name), load(after, name)), name


def test_tensorboard_events_have_per_group_warmup_rates(demo):
    events = read_events(os.path.join(demo[0], "finetune"))
    assert {"loss/train", "learning_rate/head", "learning_rate/backbone",
            "loss/heldout", "accuracy/heldout"} <= set(events)
    steps, head = events["learning_rate/head"]
    np.testing.assert_array_equal(steps, np.arange(FINETUNE))
    # cosine_decay_with_warmup(lr, FINETUNE, warmup 0 -> lr over WARMUP,
    # alpha=0.01), driven by the global step.
    s = np.minimum(steps - WARMUP, FINETUNE - WARMUP) / (FINETUNE - WARMUP)
    expected = np.where(steps < WARMUP, LR * steps / WARMUP,
                        LR * (0.99 * 0.5 * (1 + np.cos(np.pi * s)) + 0.01))
    np.testing.assert_allclose(head, expected, rtol=1e-5, atol=1e-9)
    _, backbone = events["learning_rate/backbone"]
    np.testing.assert_allclose(backbone, head * MULTIPLIER, rtol=1e-6)
    eval_steps, accuracy = events["accuracy/heldout"]
    np.testing.assert_array_equal(eval_steps, [0, EVERY, FINETUNE])
    after = float(ACCURACY.search(demo[1]).group(2))
    assert accuracy[-1] == pytest.approx(after, abs=1e-4)
    pretrain = read_events(os.path.join(demo[0], "pretrain"))
    assert {"loss/train", "learning_rate/pretrain",
            "accuracy/heldout"} <= set(pretrain)


def test_writes_curves_and_gallery(demo):
    out = demo[0]
    for name in ("curves.png", "gallery_overview.png",
                 os.path.join("gallery", "cosine_decay_with_warmup.png")):
        with open(os.path.join(out, name), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", name
    assert os.path.getsize(os.path.join(out, "curves.png")) > 20000
    assert os.path.isfile(os.path.join(out, "gallery", "index.html"))


# ------------------------------------------------- in-process, no training --

@pytest.fixture(scope="module")
def demo_module():
    return runpy.run_path(os.path.join(ROOT, "scripts", "demo.py"),
                          run_name="demo")


def test_digit_splits_are_disjoint_and_stratified(demo_module):
    splits = demo_module["load_splits"](0)
    for task in ("pretrain", "finetune"):
        train_x, train_y = splits[f"{task}_train"]
        test_x, test_y = splits[f"{task}_test"]
        assert set(train_y) == set(test_y) == set(range(5))
        assert train_x.shape[1:] == (8, 8, 1) and train_x.max() <= 1.0
        assert 0.25 < len(test_y) / (len(test_y) + len(train_y)) < 0.35
        flat = {x.tobytes() for x in train_x}
        assert not any(x.tobytes() in flat for x in test_x)


@pytest.mark.parametrize("argv", [
    ["--finetune-steps", "10", "--warmup-steps", "10"],
    ["--pretrain-steps", "0"],
    ["--batch-size", "0"],
])
def test_rejects_bad_flags(demo_module, argv):
    with pytest.raises(SystemExit) as error:
        demo_module["parse_args"](argv)
    assert error.value.code == 2


def test_default_warmup_is_a_tenth_of_finetuning(demo_module):
    assert demo_module["parse_args"](["--finetune-steps", "300"]
                                     ).warmup_steps == 30
