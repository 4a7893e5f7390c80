"""`HParams`: TF1's `tf.contrib.training.HParams`, with its grammar and errors.

A bag of typed hyper-parameters, read as attributes. The type of each is
fixed by its first value (a list fixes the type of its elements);
`parse` reads TF1's command-line grammar::

    name=value,name=[v1,v2,...],name[index]=value

>>> hparams = HParams(learning_rate=0.1, layers=[64, 32], optimizer="adam")
>>> hparams.parse("learning_rate=0.5,layers=[128,64,32]").learning_rate
0.5
>>> hparams.layers
[128, 64, 32]
>>> hparams.parse("layers[0]=256").layers
[256, 64, 32]
>>> hparams.parse("optimizer=[adam]")
Traceback (most recent call last):
...
ValueError: Must not pass a list for single-valued parameter: optimizer
>>> HParams(a=1).to_json()
'{"a": 1}'

Values are checked against the type: an integer parameter refuses
``1.5``, a string parameter refuses ``3``, a bool parameter accepts
``true``/``True``/``false``/``False`` or an integer; a float parameter
accepts integers (stored as floats).

Differences from TF 1.15: ``name[index]=value`` sets that element of a
list parameter (TF 1.15 parsed it, then refused it in `set_hparam`);
`hparam_def` (an `HParamDef` protocol buffer; TF 2.x ships no such proto)
and `to_proto` / `from_proto` are not provided.
"""
import json
import numbers
import re

from tf1_schedules import _checks as checks

__all__ = ["HParams", "parse_values"]

# One `name=value` clause of TF1's grammar, anchored at the scan position.
_CLAUSE = re.compile(r"""
    (?P<name>[a-zA-Z]\w*)
    (?:\[\s*(?P<index>\d+)\s*\])?      # optional `[index]`
    \s*=\s*
    (?:\[(?P<vals>[^\]]*)\]            # a list `[v1,v2]`
     | (?P<val>[^,\[]*))               # or one value
    (?:$|,\s*)""", re.VERBOSE)


def _parse_fail(name, type_, value, values):
    raise ValueError(f"Could not parse hparam '{name}' of type "
                     f"'{type_.__name__}' with value '{value}' in {values}")


def _reuse_fail(name, values):
    raise ValueError(f"Multiple assignments to variable '{name}' in {values}")


def _reader(name, type_, values):
    """The function turning one text value into a `type_` value."""
    def read(text):
        if type_ is bool:
            if text in ("true", "True"):
                return True
            if text in ("false", "False"):
                return False
            try:
                return bool(int(text))
            except ValueError:
                _parse_fail(name, type_, text, values)
        try:
            return type_(text)
        except (ValueError, TypeError):
            _parse_fail(name, type_, text, values)
    return read


def _store(results, name, index, value, values):
    """Records one assignment; refuses a second one to the same target."""
    if index is None:
        if name in results:
            _reuse_fail(name, values)
        results[name] = value
        return
    slots = results.setdefault(name, {})
    if not isinstance(slots, dict):
        _reuse_fail(name, values)
    if index in slots:
        _reuse_fail(f"{name}[{index}]", values)
    slots[index] = value


def parse_values(values, type_map):
    """Parses TF1's grammar into a dict.

    ``"a=1,b=[1,2],c[0]=3"`` gives ``{"a": 1, "b": [1, 2], "c": {0: 3}}``.

    Args:
      values: the string of comma-separated clauses.
      type_map: `{name: type}`; a list parameter maps to its element type.

    Raises:
      ValueError: malformed text, an unknown name, a value of the wrong
        type, a list assigned to an index, or two assignments to one name.
    """
    results = {}
    pos = 0
    while pos < len(values):
        match = _CLAUSE.match(values, pos)
        if not match:
            raise ValueError(f"Malformed hyperparameter value: {values[pos:]}")
        pos = match.end()
        name, index = match.group("name"), match.group("index")
        if name not in type_map:
            raise ValueError(f"Unknown hyperparameter type for {name}")
        read = _reader(name, type_map[name], values)
        if match.group("vals") is not None:
            if index is not None:
                raise ValueError("Assignment of a list to a list index.")
            items = [e for e in re.split("[ ,]", match.group("vals")) if e]
            _store(results, name, None, [read(e) for e in items], values)
        else:
            _store(results, name, None if index is None else int(index),
                   read(match.group("val")), values)
    return results


def _cast(name, param_type, value):
    """`value` as `param_type`, refusing lossy or kind-changing casts."""
    message = (f"Could not cast hparam '{name}' of type '{param_type}' from "
               f"value {value!r}")
    if issubclass(param_type, type(None)):
        return value
    if (issubclass(param_type, (str, bytes))
            and not isinstance(value, (str, bytes))):
        raise ValueError(message)
    if issubclass(param_type, bool) != isinstance(value, bool):
        raise ValueError(message)
    if (issubclass(param_type, numbers.Integral)
            and not isinstance(value, numbers.Integral)):
        raise ValueError(message)
    if (issubclass(param_type, numbers.Number)
            and not isinstance(value, numbers.Number)):
        raise ValueError(message)
    return param_type(value)


class HParams:
    """Hyper-parameters as typed attributes (TF1's `tf.contrib.training.HParams`).

    Args:
      hparam_def: must be None (`HParamDef` protos are not provided).
      model_structure: any object, kept for `get_model_structure()`.
      **kwargs: the hyper-parameters: int, float, bool, str, or a non-empty
        list of one of those.

    Raises:
      ValueError: a reserved name (an attribute of `HParams`, such as
        `values` or `parse`) or an empty list.
    """

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        if hparam_def is not None:
            checks.fail("HParams", "hparam_def",
                        "None (HParamDef protocol buffers are not provided)",
                        hparam_def, TypeError)
        self._hparam_types = {}
        self._model_structure = model_structure
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        """Adds a new hyper-parameter; its type is that of `value`."""
        if getattr(self, name, None) is not None:
            raise ValueError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(
                    f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name, value):
        """Sets an existing hyper-parameter, checking the value's type.

        Raises:
          KeyError: `name` is not a hyper-parameter.
          ValueError: a list for a scalar, a scalar for a list, a value of
            an incompatible type, or an index out of range.
        """
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, dict):  # `name[i]=v` assignments from `parse`
            setattr(self, name, self._with_elements(name, value))
        elif isinstance(value, list):
            if not is_list:
                raise ValueError(
                    f"Must not pass a list for single-valued parameter: {name}")
            setattr(self, name, [_cast(name, param_type, v) for v in value])
        else:
            if is_list:
                raise ValueError(
                    f"Must pass a list for multi-valued parameter: {name}.")
            setattr(self, name, _cast(name, param_type, value))

    def _with_elements(self, name, elements):
        param_type, is_list = self._hparam_types[name]
        if not is_list:
            raise ValueError(
                f"Must not assign an index of single-valued parameter: {name}")
        current = list(getattr(self, name))
        for index, value in elements.items():
            if not 0 <= index < len(current):
                raise ValueError(f"Index {index} is out of range for "
                                 f"hparam '{name}' of length {len(current)}")
            current[index] = _cast(name, param_type, value)
        return current

    def del_hparam(self, name):
        """Removes a hyper-parameter (nothing happens if there is none)."""
        if name in self._hparam_types:
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values):
        """Overrides values from TF1's ``"a=1,b=[x,y],c[0]=2"`` grammar.

        Returns:
          This `HParams`.
        """
        if not isinstance(values, str):
            checks.fail("HParams.parse", "values", "a string", values,
                        TypeError)
        type_map = {n: t for n, (t, _) in self._hparam_types.items()}
        return self.override_from_dict(parse_values(values, type_map))

    def override_from_dict(self, values_dict):
        """Sets each `name: value` of the dict (`set_hparam`); returns self."""
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def set_from_map(self, values_map):
        """Deprecated in TF1: `override_from_dict`."""
        return self.override_from_dict(values_map)

    def set_model_structure(self, model_structure):
        self._model_structure = model_structure

    def get_model_structure(self):
        return self._model_structure

    def to_json(self, indent=None, separators=None, sort_keys=False):
        """The values as a JSON object string (`json.dumps` arguments)."""
        return json.dumps(self.values(), indent=indent,
                          separators=separators, sort_keys=sort_keys)

    def parse_json(self, values_json):
        """Overrides values from a JSON object string; returns self."""
        return self.override_from_dict(json.loads(values_json))

    def values(self):
        """`{name: value}` of every hyper-parameter."""
        return {name: getattr(self, name) for name in self._hparam_types}

    def get(self, key, default=None):
        """The value of `key`, else `default` (which must fit its type)."""
        if key not in self._hparam_types:
            return default
        if default is not None:
            self._check_default(key, default)
        return getattr(self, key)

    def _check_default(self, key, default):
        param_type, is_list = self._hparam_types[key]
        type_text = f"list<{param_type}>" if is_list else str(param_type)
        message = (f"Hparam '{key}' of type '{type_text}' is incompatible "
                   f"with default={default}")
        if is_list != isinstance(default, list):
            raise ValueError(message)
        try:
            for value in (default if is_list else [default]):
                _cast(key, param_type, value)
        except ValueError as error:
            raise ValueError(f"{message}. {error}") from None

    def __contains__(self, key):
        return key in self._hparam_types

    def __str__(self):
        return str(sorted(self.values().items()))

    def __repr__(self):
        return f"{type(self).__name__}({self})"
