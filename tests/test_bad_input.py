"""Every rejected input of the catalogue (`tests/bad_input_cases.py`).

For each row, in graph mode (a fresh `tf.Graph`) and in eager mode:

  * the call raises the row's exception type;
  * the message names the function, the argument and the value (the
    project's shape ``<function>: `<argument>` must be ... Received: ...``),
    or is the upstream message kept verbatim;
  * nothing was built: no new op other than constants, no variable created
    (a `tf.variable_creator_scope` sees every creation), no global step,
    graph collections unchanged.

The same rows make the Markdown table (`scripts/bad_input_table.py`).
"""
import pytest
import tensorflow as tf

from tests.bad_input_cases import CASES

_GLOBAL_STEP = tf.compat.v1.GraphKeys.GLOBAL_STEP

PARAMS = [pytest.param(case, mode, id=f"{case.id}-{mode}", marks=(
    [pytest.mark.xfail(strict=True, reason=case.known_bug)]
    if case.known_bug else []))
          for case in CASES for mode in case.modes]


def _collections(graph):
    """The graph's non-empty collections (tracing a compiled eager call
    registers empty ones, which holds nothing)."""
    return {key: list(graph.get_collection_ref(key))
            for key in graph.get_all_collection_keys()
            if graph.get_collection_ref(key)}


class _Creations:
    """Records every variable creation attempted inside the block."""

    def __init__(self):
        self.names = []

    def __enter__(self):
        def creator(next_creator, **kwargs):
            self.names.append(kwargs.get("name"))
            return next_creator(**kwargs)

        self._scope = tf.variable_creator_scope(creator)
        self._scope.__enter__()
        return self

    def __exit__(self, *exc):
        return self._scope.__exit__(*exc)


def raise_case(case, env):
    """Calls `case` on its inputs `env`; returns (exception, created names)."""
    with _Creations() as created:
        with pytest.raises(case.error) as info:
            case.call(env)
    return info.value, created.names


def check_message(case, error):
    message = str(error)
    if case.verbatim is not None:
        assert message == case.verbatim
        return
    if case.off_shape is not None:
        assert case.value_text in message, message
        return
    assert message.startswith(case.prefix), message
    assert f"`{case.argument}`" in message, message
    assert case.value_text in message, message


def _run_graph(case):
    with tf.Graph().as_default() as graph:
        env = case.prepare() if case.prepare else {}
        before_ops = len(graph.get_operations())
        before = _collections(graph)
        error, created = raise_case(case, env)
        new_ops = graph.get_operations()[before_ops:]
        assert [op for op in new_ops if op.type != "Const"] == []
        assert created == []
        assert tf.compat.v1.train.get_global_step(graph) is None
        assert _collections(graph) == before
    return error


def _run_eager(case):
    default = tf.compat.v1.get_default_graph()
    default.clear_collection(_GLOBAL_STEP)
    env = case.prepare() if case.prepare else {}
    before = _collections(default)
    error, created = raise_case(case, env)
    assert created == []
    assert default.get_collection(_GLOBAL_STEP) == []
    assert _collections(default) == before
    return error


@pytest.mark.parametrize("case, mode", PARAMS)
def test_rejected(case, mode):
    error = _run_graph(case) if mode == "graph" else _run_eager(case)
    check_message(case, error)


def test_catalogue_size_and_ids():
    """At least 60 rows, unique ids, both modes covered."""
    assert len(CASES) >= 60
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids
                                             if ids.count(i) > 1)
    assert sum("graph" in c.modes for c in CASES) >= 60
    assert sum("eager" in c.modes for c in CASES) >= 60


def test_table_matches_catalogue():
    """The Markdown table is generated from the same rows."""
    from scripts.bad_input_table import markdown_table
    table = markdown_table(CASES, messages={})
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(CASES)
