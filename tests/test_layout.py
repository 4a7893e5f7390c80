"""The package's layering: each layer imports only the layers below it.

    _checks, _variables            (base)
    schedules                      the schedules; no Keras, no tf-slim
    optim, slim, keras_schedules   built on schedules (slim: on base only)
    tools                          preview and CLI
    legacy                         may use everything

Checked on the source (every `import` statement, lazy ones included), so
a new module that breaks the rule fails here.
"""
import ast
import pathlib

import pytest

import tf1_schedules

PACKAGE = pathlib.Path(tf1_schedules.__file__).parent

# layer -> prefixes its modules must not import
FORBIDDEN = {
    "schedules": ("tf1_schedules.optim", "tf1_schedules.slim",
                  "tf1_schedules.tools", "tf1_schedules.keras_schedules",
                  "tf1_schedules.legacy", "keras", "tf_keras", "tf_slim"),
    "optim": ("tf1_schedules.slim", "tf1_schedules.tools",
              "tf1_schedules.keras_schedules", "tf1_schedules.legacy"),
    "slim": ("tf1_schedules.optim", "tf1_schedules.schedules",
             "tf1_schedules.tools", "tf1_schedules.keras_schedules",
             "tf1_schedules.legacy"),
    "tools": ("tf1_schedules.optim", "tf1_schedules.slim"),
}


def imported_modules(path):
    """Every module name an import statement of `path` names."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _violations(layer):
    out = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == p or name.startswith(p + ".")
                   for p in FORBIDDEN[layer]):
                out.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return out


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_lower_layers(layer):
    assert not _violations(layer)


def test_the_rule_is_checked_on_real_files():
    # Every layer has modules, and the checker sees what they import.
    for layer in FORBIDDEN:
        assert list((PACKAGE / layer).rglob("*.py")), layer
    assert "tf1_schedules.schedules._define" in imported_modules(
        PACKAGE / "schedules" / "decay.py")


def test_base_modules_import_no_layer():
    for base in ("_checks.py", "_variables.py"):
        names = imported_modules(PACKAGE / base)
        assert not [n for n in names if n.startswith("tf1_schedules.")], base
