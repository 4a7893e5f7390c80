"""`HParams` (`tf.contrib.training.HParams`): TF1's grammar, type checks and
error messages."""
import copy
import inspect
import json

import pytest

from tf1_schedules.legacy.hparams import HParams, parse_values


def make():
    return HParams(learning_rate=0.1, num_layers=3, use_bn=True,
                   optimizer="adam", sizes=[64, 32], rates=[0.5, 0.25],
                   names=["a", "b"])


# ------------------------------------------------------------------ parse --

@pytest.mark.parametrize("text, name, want", [
    ("learning_rate=0.5", "learning_rate", 0.5),
    ("learning_rate=1", "learning_rate", 1.0),       # int text, float param
    ("learning_rate=-.54e3", "learning_rate", -540.0),
    ("num_layers=-12", "num_layers", -12),
    ("use_bn=false", "use_bn", False),
    ("use_bn=False", "use_bn", False),
    ("use_bn=true", "use_bn", True),
    ("use_bn=0", "use_bn", False),
    ("use_bn=7", "use_bn", True),
    ("optimizer=sgd_2", "optimizer", "sgd_2"),
    ("sizes=[1,2,3]", "sizes", [1, 2, 3]),
    ("sizes=[1 2  3]", "sizes", [1, 2, 3]),           # spaces separate too
    ("sizes=[8]", "sizes", [8]),
    ("rates=[1,1e-3]", "rates", [1.0, 1e-3]),
    ("names=[high,low]", "names", ["high", "low"]),
    ("sizes[1]=7", "sizes", [64, 7]),
    ("sizes[0]=1,sizes[1]=2", "sizes", [1, 2]),
], ids=lambda v: v if isinstance(v, str) else None)
def test_parse_one_value(text, name, want):
    got = make().parse(text)
    value = getattr(got, name)
    assert value == want and type(value) is type(want)
    if isinstance(want, list):
        assert [type(v) for v in value] == [type(v) for v in want]


def test_parse_several_and_whitespace_after_commas():
    h = make().parse("learning_rate=0.01, num_layers=5,  optimizer=rmsprop")
    assert (h.learning_rate, h.num_layers, h.optimizer) == (0.01, 5,
                                                            "rmsprop")


def test_parse_returns_the_same_object_and_empty_text_changes_nothing():
    h = make()
    assert h.parse("") is h
    assert h.values() == make().values()


@pytest.mark.parametrize("text, message", [
    ("num_layers=1.5", "Could not parse hparam 'num_layers' of type 'int' "
                       "with value '1.5' in num_layers=1.5"),
    ("use_bn=yes", "Could not parse hparam 'use_bn' of type 'bool' with "
                   "value 'yes' in use_bn=yes"),
    ("sizes=[1,x]", "Could not parse hparam 'sizes' of type 'int' with "
                    "value 'x' in sizes=[1,x]"),
    ("nope=1", "Unknown hyperparameter type for nope"),
    ("learning_rate", "Malformed hyperparameter value: learning_rate"),
    ("num_layers=1,,", "Malformed hyperparameter value: ,"),
    ("num_layers=1,num_layers=2", "Multiple assignments to variable "
                                  "'num_layers' in num_layers=1,num_layers=2"),
    ("sizes[0]=1,sizes[0]=2", "Multiple assignments to variable "
                              "'sizes[0]' in sizes[0]=1,sizes[0]=2"),
    ("sizes=[1],sizes[0]=2", "Multiple assignments to variable 'sizes' in "
                             "sizes=[1],sizes[0]=2"),
    ("sizes[0]=[1,2]", "Assignment of a list to a list index."),
    ("optimizer=[a,b]", "Must not pass a list for single-valued parameter: "
                        "optimizer"),
    ("sizes=5", "Must pass a list for multi-valued parameter: sizes."),
    ("sizes[5]=1", "Index 5 is out of range for hparam 'sizes' of length 2"),
    ("num_layers[0]=1", "Must not assign an index of single-valued "
                        "parameter: num_layers"),
])
def test_parse_errors_are_tf1s(text, message):
    h = make()
    before = h.values()
    with pytest.raises(ValueError) as info:
        h.parse(text)
    assert str(info.value) == message
    if "Multiple" in message or "Malformed" in message or "Unknown" in message:
        assert h.values() == before  # rejected while parsing: nothing set


def test_parse_values_result_shapes():
    types = {"x": int, "l": int, "arr": int}
    assert parse_values("x=5,l=[1,2],arr[1]=3", types) == {
        "x": 5, "l": [1, 2], "arr": {1: 3}}


def test_parse_rejects_a_non_string():
    with pytest.raises(TypeError, match="HParams.parse: `values` must be a "
                                        "string"):
        make().parse(["a=1"])


# ------------------------------------------------------- set and override --

@pytest.mark.parametrize("name, value, want", [
    ("learning_rate", 2, 2.0),        # int into float: cast
    ("num_layers", 4, 4),
    ("use_bn", False, False),
    ("optimizer", "sgd", "sgd"),
    ("sizes", [1, 2, 3], [1, 2, 3]),
    ("rates", [1, 2], [1.0, 2.0]),
])
def test_set_hparam_casts_compatible_values(name, value, want):
    h = make()
    h.set_hparam(name, value)
    got = getattr(h, name)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("name, value", [
    ("num_layers", 1.5),              # float into int
    ("num_layers", True),             # bool into int
    ("use_bn", 1),                    # int into bool
    ("optimizer", 3),                 # number into string
    ("learning_rate", "0.1"),         # string into float
    ("sizes", [1, "2"]),
])
def test_set_hparam_refuses_incompatible_values(name, value):
    h = make()
    with pytest.raises(ValueError, match=f"Could not cast hparam '{name}'"):
        h.set_hparam(name, value)


def test_set_hparam_unknown_name_is_a_key_error():
    with pytest.raises(KeyError):
        make().set_hparam("nope", 1)


def test_override_from_dict_and_parse_json():
    h = make()
    assert h.override_from_dict({"num_layers": 7, "sizes": [9]}) is h
    assert (h.num_layers, h.sizes) == (7, [9])
    assert h.parse_json('{"learning_rate": 0.3, "names": ["x"]}') is h
    assert (h.learning_rate, h.names) == (0.3, ["x"])
    with pytest.raises(ValueError, match="Must pass a list"):
        h.parse_json('{"sizes": 3}')


def test_to_json_round_trip():
    h = make()
    text = h.to_json(indent=2, sort_keys=True)
    assert json.loads(text) == h.values()
    assert text.splitlines()[1].startswith('  "learning_rate"')
    other = HParams(**{k: v for k, v in make().values().items()})
    other.set_hparam("num_layers", 99)
    assert other.parse_json(h.to_json()).values() == h.values()


# ------------------------------------------------- add, del, get, contains --

def test_add_and_del_hparam():
    h = make()
    h.add_hparam("dropout", 0.5)
    assert h.dropout == 0.5 and "dropout" in h
    h.del_hparam("dropout")
    assert "dropout" not in h and not hasattr(h, "dropout")
    h.del_hparam("dropout")  # nothing to delete: no error, as in TF1
    h.del_hparam("parse")    # a method, not a hyper-parameter: kept
    assert callable(h.parse)


@pytest.mark.parametrize("kwargs, message", [
    (dict(values=1), "Hyperparameter name is reserved: values"),
    (dict(parse=1), "Hyperparameter name is reserved: parse"),
    (dict(sizes=[]), "Multi-valued hyperparameters cannot be empty: sizes"),
])
def test_constructor_errors_are_tf1s(kwargs, message):
    with pytest.raises(ValueError) as info:
        HParams(**kwargs)
    assert str(info.value) == message


def test_add_existing_name_is_reserved():
    with pytest.raises(ValueError, match="reserved: num_layers"):
        make().add_hparam("num_layers", 4)


def test_get_with_defaults():
    h = make()
    assert h.get("num_layers") == 3
    assert h.get("num_layers", 10) == 3
    assert h.get("missing", "x") == "x"
    assert h.get("sizes", [1]) == [64, 32]
    with pytest.raises(ValueError, match="Hparam 'num_layers' of type "
                                         "'<class 'int'>' is incompatible "
                                         "with default=1.5"):
        h.get("num_layers", 1.5)
    with pytest.raises(ValueError, match="list<<class 'int'>>"):
        h.get("sizes", 1)


def test_values_str_repr_and_contains():
    h = HParams(b=2, a=1)
    assert h.values() == {"b": 2, "a": 1}
    assert str(h) == "[('a', 1), ('b', 2)]"
    assert repr(h) == "HParams([('a', 1), ('b', 2)])"
    assert "a" in h and "values" not in h


def test_deepcopy_is_independent():
    # nasnet.py: `hparams = copy.deepcopy(hparams)`, then `set_hparam`.
    h = make()
    c = copy.deepcopy(h)
    c.set_hparam("sizes", [1])
    c.parse("num_layers=9")
    assert (h.sizes, h.num_layers) == ([64, 32], 3)
    assert (c.sizes, c.num_layers) == ([1], 9)


def test_model_structure_and_signature():
    h = HParams(model_structure="ms", a=1)
    assert h.get_model_structure() == "ms"
    h.set_model_structure("other")
    assert h.get_model_structure() == "other"
    assert str(inspect.signature(HParams)) == (
        "(hparam_def=None, model_structure=None, **kwargs)")


def test_hparam_def_is_not_provided():
    with pytest.raises(TypeError, match="HParams: `hparam_def` must be None"):
        HParams(hparam_def=b"\x0a\x00")
