#!/usr/bin/env python
"""Runs tf-slim's own test suite against the installed tf_slim.

    .venv/bin/python scripts/slim_conformance.py [-j 2] [--timeout 1500]
        [--configs plain,repaired,adapted] [--files learning_test.py,...]
        [--out docs/slim_conformance.md] [--json out/slim_conformance.json]

tf-slim 1.1.0 ships its 35 test files inside the wheel
(``tf_slim/**/*_test.py``). Each file runs in its own pytest process (bounded
by ``--timeout`` seconds), eager execution disabled by the files' own
``setUpModule``, in three configurations:

* ``plain``: the installed files, no repairs (tf-slim as shipped on this TF);
* ``repaired``: the installed files, after `tf1_schedules.slim.repairs.patch()`;
* ``adapted``: repaired, run on a COPY of each file with the minimal test-side
  adaptations of `ADAPTATIONS` (NumPy 2 spellings of the test code, a
  one-name ``nose`` stand-in); every adaptation applied is listed in the output.

Counts come from pytest's junit xml. Every test that still fails is classified
by `CLASSIFICATION` as (a) library-side, (b) test-side or (c) not restorable.
Writes the per-file table and the classification to ``--out`` (markdown) and
the raw results to ``--json``. Exit status 0 when every file ran to completion.
"""
import argparse
import concurrent.futures
import dataclasses
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPAIRS = os.path.join(ROOT, "tf1_schedules", "slim", "repairs.py")
CONFIGS = ("plain", "repaired", "adapted")

# The child: applies the repairs (unless plain), then runs pytest on one file.
# The repairs module imports only TensorFlow, so it is loaded from a snapshot
# taken when the run starts (edits to the tree during a long run, or a broken
# `tf1_schedules/__init__.py`, cannot change what is measured).
# argv: config, repairs.py, withheld repair (or "-"), pytest arguments...
# A withheld repair is undone right after `patch()` (see `withholdable`).
_NOT_NEEDED = 99  # exit status of a child whose withheld repair was not made
_BOOT = """
import importlib, importlib.util, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.pop("TF1_SCHEDULES_NO_SLIM_PATCH", None)
config, path, withheld = sys.argv[1:4]
if config != "plain":
    spec = importlib.util.spec_from_file_location("slim_repairs", path)
    repairs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(repairs)
    report = repairs.patch()
    print(report, flush=True)
    if withheld == "tf_keras.legacy_tf_layers":  # the aliases, as one
        for name in report.aliased:
            del sys.modules[name]
    elif withheld in report.guarded:
        for module, attr_path, *_ in repairs._EAGER_GUARDS:
            if f"{module}.{attr_path}" == withheld:
                owner = importlib.import_module(module)
                *parents, attribute = attr_path.split(".")
                for parent in parents:
                    owner = getattr(owner, parent)
                setattr(owner, attribute,
                        getattr(owner, attribute).__wrapped__)
    elif withheld == repairs._NUMPY_INDEX_REPAIR and withheld in report.restored:
        module = importlib.import_module(repairs._NUMPY_INDEX_MODULE)
        module.tf = module.tf._wrapped_module
    elif withheld in report.restored:
        module, attribute = withheld.rsplit(".", 1)
        delattr(importlib.import_module(module), attribute)
    elif withheld != "-":  # this TF still has it: nothing to withhold
        print("slim_conformance: not repaired on this TF:", withheld)
        sys.exit(99)
    print("withheld:", withheld, flush=True)
import pytest
sys.exit(pytest.main(sys.argv[4:]))
"""


@dataclasses.dataclass(frozen=True)
class Adaptation:
    """One test-side edit: `pattern` -> `replacement` in `files` (relpaths)."""

    files: tuple
    pattern: str
    replacement: str
    why: str


ANY = None  # `Adaptation.files` value: every test file

# Minimal, documented edits to COPIES of test files; each touches only the
# test's own use of an API NumPy 2 or the test environment no longer has, so
# that the library code behind the test runs. Nothing here changes what a test
# asserts about tf-slim.
ADAPTATIONS = (
    Adaptation(("layers/sparse_ops_test.py",), r"\bnp\.bool\b(?!_)",
               "np.bool_", "NumPy 1.24 removed the alias `np.bool` (NumPy 2.0 "
               "re-added it as `np.bool_`; needed on NumPy 1.24-1.26)"),
    Adaptation(("layers/sparse_ops_test.py",), r"\bnp\.object\b(?!_)",
               "np.object_",
               "NumPy 1.24 removed the alias `np.object` (it was `object`)"),
    Adaptation(("losses/metric_learning_test.py",), r"\bnp\.float\b(?!_|\d)",
               "np.float64",
               "NumPy 1.24 removed the alias `np.float` (it was `float`)"),
    Adaptation(("layers/layers_test.py",), r"\bnp\.product\(", "np.prod(",
               "NumPy 2.0 removed `np.product` (use `np.prod`)"),
    Adaptation(("metrics/metric_ops_large_test.py",), r"\bnp\.product\(",
               "np.prod(", "NumPy 2.0 removed `np.product` (use `np.prod`)"),
    Adaptation(("data/tfexample_decoder_test.py",), r"\.tostring\(\)",
               ".tobytes()",
               "NumPy 2.0 removed `ndarray.tostring` (use `tobytes`)"),
    # TF moved these out of the internal modules the tests import (into
    # `variable_v1.py`, `resource_variables_toggle.py`; gone from 2.16 on);
    # the public `tf.compat.v1` names (the tests' `tf`) are the same objects.
    Adaptation(ANY, r"\bvariables(?:_lib)?\.VariableV1\(", "tf.Variable(",
               "TF (2.16 and later) no longer has `variables.VariableV1` "
               "(it is `tf.compat.v1.Variable`)"),
    Adaptation(ANY, r"\bvariable_scope\.((?:en|dis)able_resource_variables|"
               r"resource_variables_enabled)\(", r"tf.\1(",
               "TF (2.16 and later) no longer has `variable_scope."
               "enable_resource_variables`, `disable_resource_variables`, "
               "`resource_variables_enabled` (they are `tf.compat.v1.*`)"),
    # NumPy 2.x: `int()` of a one-element 1-D array raises TypeError (a
    # DeprecationWarning since NumPy 1.25).
    Adaptation(ANY, r"int\(2 \* self\._labels\[i\] \+",
               "int(2 * self._labels[i, 0] +",
               "NumPy 2 no longer converts a 1-element 1-D array to a Python "
               "scalar (`int(a[i])` with `a` of shape (16, 1)); `a[i, 0]` is "
               "the same element"),
    Adaptation(("metrics/classification_test.py",),
               r"self\.assertAlmostEqual\(2 \* 0\.5 \* 1 / \(1 \+ 0\.5\), "
               r"f1\.eval\(\)\)",
               "self.assertAlmostEqual(2 * 0.5 * 1 / (1 + 0.5), "
               "float(f1.eval()))",
               "NumPy 2 (NEP 50) computes `python_float - np.float32` in "
               "float32, so `assertAlmostEqual`'s 7-place check sees the "
               "float32 rounding of the subtraction (6e-8); `float()` is the "
               "NumPy 1 comparison"),
    Adaptation(("evaluation_test.py",),
               r"hooks\.DumpingDebugHook\(dumping_root, log_usage=False\)",
               "hooks.DumpingDebugHook(dumping_root)",
               "TF 2's tfdbg `DumpingDebugHook` no longer takes `log_usage` "
               "(it only switched off usage logging)"),
    Adaptation(("evaluation_test.py",), r"^from nose\.tools import nottest$",
               "def nottest(fn):  # nose's decorator, without nose\n"
               "  fn.__test__ = False\n  return fn",
               "`nose` (unmaintained, fails to import on Python >= 3.10) is "
               "used only for its `nottest` decorator, which sets "
               "`__test__ = False`"),
)


@dataclasses.dataclass(frozen=True)
class Rule:
    """Classifies a failure whose test id / message matches `pattern`."""

    pattern: str
    cls: str  # "a" library-side, "b" test-side, "c" not restorable
    why: str


CLASS_NAMES = {"a": "(a) library-side", "b": "(b) test-side",
               "c": "(c) not restorable"}

# Matched against "<file>::<test id>: <first line of the message>"; the
# first rule that matches wins.
_NUMPY2 = ("the test uses an API NumPy 1.24 / 2.0 removed (adapted in "
           "`adapted`)")
_TF_MOVED = ("the test imports a TF-internal name TF moved (adapted in "
             "`adapted`)")
CLASSIFICATION = (
    Rule(r"has no attribute '(VariableV1|enable_resource_variables|"
         r"disable_resource_variables|resource_variables_enabled)'", "b",
         _TF_MOVED),
    Rule(r"numpy' has no attribute '(bool|object|float|product)'|"
         r"no attribute 'tostring'", "b", _NUMPY2),
    Rule(r"only 0-dimensional arrays can be converted to Python scalars",
         "b", "the test's `int(labels[i])` on a shape-(1,) row: NumPy 2 "
         "no longer converts it (adapted in `adapted`)"),
    Rule(r"No module named 'nose'", "b",
         "missing test dependency `nose` (unmaintained; adapted in "
         "`adapted`)"),
    Rule(r"unexpected keyword argument 'log_usage'", "b",
         "the test passes `log_usage=` to tfdbg's `DumpingDebugHook`, "
         "which TF 2 dropped (adapted in `adapted`)"),
    Rule(r"F1ScoreTest::testSomeCorrect:", "b",
         "NumPy 2 promotion (NEP 50) in the test's own comparison (adapted "
         "in `adapted`)"),
    Rule(r"DropoutTest::testCreateDropout:.*", "c",
         "asserts the name of the last op inside TF's `nn.dropout` "
         "(`dropout_1/mul_1`); TF 2.x builds dropout with `SelectV2`. tf-slim "
         "only calls TF's dropout layer; the output is the same"),
    Rule(r"CountTest::testReturnType:.*AssignAddVariableOp", "c",
         "asserts `update_op` is an Operation/Tensor/`tf.compat.v1.Variable`; "
         "with resource variables (TF 2 default) `assign_add` returns an "
         "unread `tf.Variable` (TF's ResourceVariable class, not a "
         "`VariableV1`), which runs and evaluates like the update op"),
    Rule(r"testVariableWithReplicaDeviceSetter:.*/job:ps/task:0", "c",
         "expects `replica_device_setter` to add `/cpu:0` to a variable's "
         "device; TF 2.x's setter no longer does (plain "
         "`tf.compat.v1.get_variable` gets `/job:ps/task:0` too). tf-slim "
         "passes the device through unchanged"),
    Rule(r"tf_slim\.ops\.variables|list of slices|IndexError: only "
         r"integers, slices", "a",
         "tf-slim indexes with a list of slices (NumPy >= 1.23 IndexError); "
         "repaired"),
    Rule(r"RevBlockTest::testConvAndBatchNorm: .*StagingError", "a",
         "`batch_norm` inside a rev block (autograph truncates the message); "
         "passes once repaired"),
    Rule(r"has no attribute '(Tensor|IndexedSlices|variable|cond|case|"
         r"while_loop|Assert|stack|unstack)'|legacy_tf_layers", "a",
         "tf-slim calls a TF-internal name TF removed; repaired"),
)


@dataclasses.dataclass
class Result:
    """One file under one configuration."""

    file: str
    config: str
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0
    status: str = "ok"  # ok | timeout | crashed
    failures: list = dataclasses.field(default_factory=list)  # (id, message)
    outcomes: dict = dataclasses.field(default_factory=dict)  # id -> outcome
    adaptations: list = dataclasses.field(default_factory=list)

    @property
    def total(self):
        return self.passed + self.failed + self.errors + self.skipped


def _package_dir(python):
    out = subprocess.run(
        [python, "-c", "import os, tf_slim; "
         "print(os.path.dirname(tf_slim.__file__))"],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return out.stdout.strip().splitlines()[-1]


def test_files(package_dir, only=None):
    """Relative paths of tf_slim's ``*_test.py`` files (optionally `only`)."""
    files = sorted(os.path.relpath(p, package_dir) for p in glob.glob(
        os.path.join(package_dir, "**", "*_test.py"), recursive=True))
    if only:
        wanted = set(only)
        files = [f for f in files if f in wanted]
        missing = wanted - set(files)
        if missing:
            raise SystemExit(f"slim_conformance: no such test file(s): "
                             f"{sorted(missing)}")
    return files


def adapt(relpath, source):
    """Applies `ADAPTATIONS` for `relpath` to `source`.

    Returns (new source, list of "file: why (n edits)" lines).
    """
    applied = []
    for item in ADAPTATIONS:
        if item.files is not ANY and relpath not in item.files:
            continue
        source, count = re.subn(item.pattern, item.replacement, source,
                                flags=re.MULTILINE)
        if count:
            applied.append(f"{relpath}: `{item.pattern}` -> "
                           f"`{item.replacement.splitlines()[0]}` "
                           f"x{count} ({item.why})")
    return source, applied


def _first_line(text):
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def _summary(message):
    """First line of `message`; with its last line when it is a header
    (autograph's "...: in user code:" errors)."""
    lines = [l.strip() for l in message.splitlines() if l.strip()]
    if len(lines) > 1 and lines[0].endswith("in user code:"):
        return f"{lines[0]} ... {lines[-1]}"[:300]
    return _first_line(message)


def _error_line(text):
    """The first ``E   ...`` line of a pytest traceback (the exception)."""
    for line in (text or "").splitlines():
        if line.startswith("E   "):
            return line[4:].strip()
    return _first_line(text)


def _last_line(text):
    """The last line of a child's output that is not TF/absl log noise."""
    for line in reversed((text or "").splitlines()):
        line = line.strip()
        if line and not re.match(r"^(WARNING|[IWE]\d{4}|I0000|W0000)", line):
            return line[:300]
    return ""


def parse_junit(path, result):
    """Adds the counts, failures and outcomes of a junit xml to `result`.

    Test ids are ``Class::method``; outcomes ``passed``/``failed``/``error``/
    ``skipped``.
    """
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '').split('.')[-1]}::{case.get('name')}"
        kinds = {child.tag: child for child in case}
        if "failure" in kinds or "error" in kinds:
            node = kinds.get("failure", kinds.get("error"))
            outcome = "failed" if "failure" in kinds else "error"
            message = node.get("message") or ""
            if not message or message == "collection failure":
                message = _error_line(node.text) or message
            result.failures.append((name, _summary(message)))
        elif "skipped" in kinds:
            outcome = "skipped"
        else:
            outcome = "passed"
        result.outcomes[name] = outcome
    for attribute, outcome in (("passed", "passed"), ("failed", "failed"),
                               ("errors", "error"), ("skipped", "skipped")):
        setattr(result, attribute,
                sum(o == outcome for o in result.outcomes.values()))


def run_one(python, package_dir, relpath, config, timeout, workdir, *,
            tests=(), withhold=None):
    """Runs one file (or some of its tests) under one configuration.

    Returns a `Result`. `workdir` holds ``repairs.py`` (the snapshot `main`
    takes). `tests`: ``Class::method`` ids to run (default: the whole file).
    `withhold`: see `run_nodes`.
    """
    work = os.path.join(workdir, config, relpath.replace(os.sep, "__"),
                        withhold or "all")
    os.makedirs(work, exist_ok=True)
    target = os.path.join(package_dir, relpath)
    adaptations = []
    if config == "adapted":
        with open(target, encoding="utf-8") as handle:
            source, adaptations = adapt(relpath, handle.read())
        target = os.path.join(work, os.path.basename(relpath))
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(source)
    nodes = [f"{target}::{test}" for test in tests] or [target]
    result = run_nodes(python, nodes, config, timeout, workdir, work,
                       withhold=withhold, label=relpath)
    result.adaptations = adaptations
    return result


def run_nodes(python, nodes, config, timeout, workdir, work, *,
              withhold=None, label=""):
    """One pytest process on `nodes` (paths or pytest node ids).

    `work`: an empty folder for this process. `withhold`: one repair (a
    `PatchReport` name; ``tf_keras.legacy_tf_layers`` for the module aliases)
    undone after `patch()`, to show which tests need it. Returns a `Result`.
    """
    os.makedirs(work, exist_ok=True)
    result = Result(label, config)
    xml = os.path.join(work, "junit.xml")
    ini = os.path.join(work, "pytest.ini")
    with open(ini, "w", encoding="utf-8") as handle:
        handle.write("[pytest]\n")
    cmd = [python, "-c", _BOOT, config, os.path.join(workdir, "repairs.py"),
           withhold or "-", "-q", "-p", "no:cacheprovider",
           "-c", ini, "--rootdir", work, f"--junitxml={xml}",
           "-o", "junit_family=xunit1", *nodes]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        result.status = "timeout"
    else:
        if proc.returncode == _NOT_NEEDED:
            result.status = "not needed"
        elif not os.path.exists(xml):
            result.status = "crashed"
            result.failures.append(("<process>", _last_line(
                proc.stdout + proc.stderr)))
    result.seconds = time.monotonic() - start
    if result.status == "ok":
        parse_junit(xml, result)
    return result


# One tf-slim test (or two) per repair, each failing without that repair
# alone (`repair_coverage` checks it; tests/test_slim_conformance.py runs it).
REPAIR_TESTS = {
    "tf_keras.legacy_tf_layers": (
        "layers/layers_test.py::BatchNormTest::testCreateOpDefault",),
    "tensorflow.python.framework.ops.Tensor": (
        "learning_test.py::MultiplyGradientsTest::"
        "testTensorMultiplierOfGradient",),
    "tensorflow.python.framework.ops.IndexedSlices": (
        "learning_test.py::ClipGradientNormsTest::"
        "testIndexedSlicesGradIsClippedCorrectly",),
    "tensorflow.python.ops.variable_scope.variable": (
        "ops/variables_test.py::LocalVariableTest::test_local_variable",),
    "tensorflow.python.ops.control_flow_ops.cond": (
        "layers/utils_test.py::SmartCondDynamicTest::test_tensors",),
    "tensorflow.python.ops.control_flow_ops.case": (
        "data/tfexample_decoder_test.py::TFExampleDecoderTest::"
        "testDecodeExampleWithPngEncoding",),
    "tensorflow.python.ops.control_flow_ops.while_loop": (
        "losses/metric_learning_test.py::ClusterLossTest::"
        "testClusteringLossPAMOff",),
    "tensorflow.python.ops.control_flow_ops.Assert": (
        "metrics/histogram_ops_test.py::AUCUsingHistogramTest::"
        "test_perfect_scores_gives_auc_1",),
    "tensorflow.python.ops.array_ops.stack": (
        "metrics/metric_ops_test.py::StreamingConcatTest::"
        "testStreamingConcat",),
    "tf_slim.ops.variables.tf.train.NewCheckpointReader": (
        "ops/variables_test.py::AssignFromCheckpointTest::"
        "testLoadPartitionedVariables",),
    "tensorflow.python.ops.array_ops.unstack": (
        "layers/layers_test.py::LegacyFullyConnectedTest::"
        "test_fully_connected_basic_use_multi_dim",),
}


def snapshot_repairs(workdir):
    """Copies the repairs module into `workdir` (what the children load)."""
    shutil.copy(REPAIRS, os.path.join(workdir, "repairs.py"))


def repair_coverage(python, package_dir, workdir, jobs=2, timeout=600,
                    repair_tests=None):
    """Runs `REPAIR_TESTS` with all repairs, then each without its repair.

    The tests run on adapted copies (`ADAPTATIONS`), so that a test-side
    problem cannot hide what the repair does. Returns ``{"all": Result,
    <repair>: Result, ...}``; a repair is covered when its tests pass under
    "all" and fail under its own entry. Needs `snapshot_repairs(workdir)`.
    """
    repair_tests = REPAIR_TESTS if repair_tests is None else repair_tests
    sources = os.path.join(workdir, "coverage_sources")
    for relpath in {i.split("::")[0] for ids in repair_tests.values()
                    for i in ids}:
        with open(os.path.join(package_dir, relpath), encoding="utf-8") as f:
            source, _ = adapt(relpath, f.read())
        os.makedirs(os.path.dirname(os.path.join(sources, relpath)),
                    exist_ok=True)
        with open(os.path.join(sources, relpath), "w", encoding="utf-8") as f:
            f.write(source)

    def nodes(ids):
        return [os.path.join(sources, i) for i in ids]

    every = [i for ids in repair_tests.values() for i in ids]
    runs = {"all": (nodes(every), None)}
    runs.update({name: (nodes(ids), name)
                 for name, ids in repair_tests.items()})
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {
            key: pool.submit(run_nodes, python, node_ids, "repaired",
                             timeout, workdir,
                             os.path.join(workdir, "coverage",
                                          key.replace("/", "_")),
                             withhold=withhold, label=key)
            for key, (node_ids, withhold) in runs.items()}
        return {key: future.result() for key, future in futures.items()}


def classify(relpath, test_id, message):
    """(class letter, why) of one failure, by the first matching `Rule`."""
    text = f"{relpath}::{test_id}: {message}"
    for rule in CLASSIFICATION:
        if re.search(rule.pattern, text):
            return rule.cls, rule.why
    return "?", "unclassified"


def _sum(results, config):
    rows = [r for r in results if r.config == config]
    return {key: sum(getattr(r, key) for r in rows)
            for key in ("passed", "failed", "errors", "skipped", "total")}


def _cell(result):
    if result is None:
        return "-"
    if result.status != "ok":
        return result.status.upper()
    text = f"{result.passed}/{result.total}"
    bad = []
    if result.failed:
        bad.append(f"{result.failed}F")
    if result.errors:
        bad.append(f"{result.errors}E")
    if result.skipped:
        bad.append(f"{result.skipped}S")
    return text + (f" ({', '.join(bad)})" if bad else "")


def _cause(message):
    """`message` without its variable parts (for grouping)."""
    message = re.sub(r"<[^>]*>", "<...>", message)
    return re.sub(r"0x[0-9a-f]+|\d+(\.\d+)?", "N", message)[:140]


def report(results, configs, header):
    """The markdown document: totals, per-file table, adaptations, failures."""
    by_key = {(r.file, r.config): r for r in results}
    files = sorted({r.file for r in results})
    lines = [header, "", "## Totals", "",
             "| configuration | passed | failed | errors | skipped | total |",
             "|---|---|---|---|---|---|"]
    for config in configs:
        s = _sum(results, config)
        lines.append(f"| {config} | {s['passed']} | {s['failed']} | "
                     f"{s['errors']} | {s['skipped']} | {s['total']} |")
    lines += ["", "## Per file (passed/total; F failed, E errors, S skipped)",
              "", "| file | " + " | ".join(configs) + " |",
              "|---|" + "---|" * len(configs)]
    for name in files:
        cells = [_cell(by_key.get((name, c))) for c in configs]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    adapted = [a for r in results if r.config == "adapted"
               for a in r.adaptations]
    if "adapted" in configs:
        lines += ["", "## Test-side adaptations (applied to copies)", ""]
        lines += [f"- {a}" for a in adapted] or ["- none"]
    lines += ["", "## Failures, classified", "",
              "Classes: (a) library-side: tf-slim code calls something TF or "
              "NumPy removed; (b) test-side: the test file itself uses a "
              "removed TF/NumPy API or a missing test dependency; (c) not "
              "restorable: TF's own behaviour changed.", ""]
    for config in configs:
        rows = [(r.file, tid, msg) for r in results if r.config == config
                for tid, msg in r.failures]
        lines += [f"### {config}: {len(rows)} failed or errored", ""]
        by_class = {}
        for name, tid, msg in rows:
            cls = CLASS_NAMES.get(classify(name, tid, msg)[0], "unclassified")
            by_class[cls] = by_class.get(cls, 0) + 1
        if rows:
            lines += ["By class: " + ", ".join(
                f"{cls} {n}" for cls, n in sorted(by_class.items())) + ".",
                ""]
        if not rows:
            lines += ["none", ""]
            continue
        if config == "plain":  # grouped: one line per cause
            lines += ["| class | cause | tests | files |", "|---|---|---|---|"]
            counted = {}
            for name, tid, msg in rows:
                cls, _ = classify(name, tid, msg)
                key = (CLASS_NAMES.get(cls, cls), _cause(msg))
                counted.setdefault(key, [0, set()])
                counted[key][0] += 1
                counted[key][1].add(name)
            for (cls, cause), (count, names) in sorted(
                    counted.items(), key=lambda item: -item[1][0]):
                cause = cause.replace("|", "\\|")
                lines.append(f"| {cls} | {cause} | {count} | "
                             + ", ".join(f"`{n}`" for n in sorted(names))
                             + " |")
            lines.append("")
            continue
        lines += ["| file | test | class | reason | message |",
                  "|---|---|---|---|---|"]
        for name, tid, msg in rows:
            cls, why = classify(name, tid, msg)
            msg = msg.replace("|", "\\|")
            lines.append(f"| `{name}` | `{tid}` | "
                         f"{CLASS_NAMES.get(cls, cls)} | {why} | {msg} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _versions(python):
    out = subprocess.run(
        [python, "-c", "from importlib.metadata import version as v; "
         "print(v('tensorflow') + ' (' + ', '.join(f'{p} {v(p)}' for p in "
         "('tf-keras', 'tf-slim', 'numpy')) + ')')"],
        capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def _header(jobs, files, configs, minutes, versions, note=""):
    return (
        f"# tf-slim's own tests on TF {versions}\n\n"
        f"Generated by `python scripts/slim_conformance.py -j {jobs}` "
        f"({files} files x {configs} configurations, one pytest "
        f"process per file and configuration, {minutes} min wall "
        f"on a shared 2-core machine). The files are the ones tf-slim 1.1.0 "
        f"ships in its wheel (`tf_slim/**/*_test.py`); each disables eager "
        f"execution itself (`setUpModule`).\n\n"
        f"* `plain`: the installed files, no repairs (tf-slim as shipped);\n"
        f"* `repaired`: the installed files after "
        f"`tf1_schedules.slim.repairs.patch()`;\n"
        f"* `adapted`: repaired, on copies of the files with the test-side "
        f"adaptations listed below (nothing a test asserts is changed).\n\n"
        f"Counts are pytest's (junit xml); `skipped` are TF's own skips "
        f"(`test_session` is \"Not a test.\", GPU-only cases)."
        + (f"\n\n{note}" if note else ""))


def _render_saved(args):
    """Writes --out from a --json of an earlier run (e.g. after new rules)."""
    with open(args.from_json, encoding="utf-8") as handle:
        saved = json.load(handle)
    results = [Result(**{**r, "failures": [tuple(f) for f in r["failures"]]})
               for r in saved["results"]]
    configs = [c for c in CONFIGS if any(r.config == c for r in results)]
    with open(args.out, "w", encoding="utf-8") as handle:
        header = (_header(**saved["meta"]) if "meta" in saved
                  else saved["header"])
        handle.write(report(results, configs, header))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1500.0,
                        help="seconds allowed to one file (default 1500)")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--files", default="",
                        help="comma-separated paths relative to tf_slim/")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter whose tf_slim and TF are tested")
    parser.add_argument("--out", default=os.path.join(
        ROOT, "docs", "slim_conformance.md"))
    parser.add_argument("--json", default=os.path.join(
        ROOT, "out", "slim_conformance.json"))
    parser.add_argument("--from-json", default="",
                        help="re-render --out from a saved --json; no run")
    args = parser.parse_args(argv)
    args.python = os.path.abspath(args.python)  # the children run elsewhere
    if args.from_json:
        return _render_saved(args)
    configs = [c for c in args.configs.split(",") if c]
    bad = sorted(set(configs) - set(CONFIGS))
    if bad or args.jobs < 1:
        parser.error(f"unknown configuration(s) {bad}" if bad
                     else "-j must be >= 1")
    package_dir = _package_dir(args.python)
    files = test_files(package_dir,
                       [f for f in args.files.split(",") if f] or None)
    jobs = [(f, c) for f in files for c in configs]
    # Longest files first, so that -j keeps every worker busy to the end.
    jobs.sort(key=lambda job: -os.path.getsize(
        os.path.join(package_dir, job[0])))
    results = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="slim_conformance_") as workdir, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        snapshot_repairs(workdir)
        futures = [pool.submit(run_one, args.python, package_dir, f, c,
                               args.timeout, workdir) for f, c in jobs]
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            results.append(result)
            print(f"{result.config:9s} {result.file:40s} {_cell(result):24s}"
                  f" {result.seconds:7.1f}s", flush=True)
    elapsed = time.monotonic() - start
    meta = {"jobs": args.jobs, "files": len(files), "configs": len(configs),
            "minutes": round(elapsed / 60), "versions": _versions(args.python)}
    header = _header(**meta)
    text = report(results, configs, header)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)),
                    exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"header": header, "meta": meta,
                       "results": [dataclasses.asdict(r) for r in results]},
                      handle, indent=1)
    for config in configs:
        s = _sum(results, config)
        print(f"{config}: {s['passed']} passed, {s['failed']} failed, "
              f"{s['errors']} errors, {s['skipped']} skipped of {s['total']}")
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
