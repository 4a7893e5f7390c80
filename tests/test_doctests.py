"""Every docstring example of the package runs and gives what it shows.

Examples run in eager mode (the TF2 default), each module's globals as
their namespace, with NumPy-style float output compared after
`NORMALIZE_WHITESPACE`.
"""
import doctest
import importlib
import pathlib

import pytest

import tf1_schedules

PACKAGE = pathlib.Path(tf1_schedules.__file__).parent
# Modules whose import has effects the suite must not see (they are what
# their names say) or that need optional pieces.
SKIP = {"tf1_schedules.slim_compat", "tf1_schedules.__main__"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in SKIP:
            yield name


@pytest.mark.parametrize("name", list(_modules()))
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} failed"
