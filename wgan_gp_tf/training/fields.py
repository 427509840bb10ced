"""How a `TrainConfig` field is declared and checked: its help, choices and range.

A field's metadata holds its `help`, its `choices` (a tuple, or a registry's
`names` function), a `check` returning what is wrong with a value (or `None`),
and whether it is `resumable`. `scripts/train.py` makes its flags from them.
"""

import dataclasses

from wgan_gp_tf.errors import ConfigError
from wgan_gp_tf.evaluation.text import NGRAM_ORDERS

_ACCEPTED_TYPES = {int: int, float: (int, float), str: str, bool: bool,
                   str | None: (str, type(None))}


def field(default, help, *, choices=None, check=None, resumable=False):
    """A config field; `resumable` fields may change between runs sharing a folder."""
    return dataclasses.field(default=default, metadata={
        "help": help, "choices": choices, "check": check, "resumable": resumable})


def field_choices(field):
    """The values a field accepts, or `None` if any value of its type goes."""
    choices = field.metadata["choices"]
    return choices() if callable(choices) else choices


def checked(field, value):
    """`value`, an int given for a float field made a float.

    Raises:
        ConfigError: a value of the wrong type, not among the choices or
            out of range; the message names the field.
    """
    if not isinstance(value, _ACCEPTED_TYPES[field.type]) or (
            isinstance(value, bool) and field.type is not bool):
        raise ConfigError(f"{field.name} must be of type "
                          f"{getattr(field.type, '__name__', field.type)}, got {value!r}")
    choices = field_choices(field)
    if choices is not None and value not in choices:
        raise ConfigError(f"unknown {field.name} {value!r}; choose one of: "
                          f"{', '.join(choices)}")
    check = field.metadata["check"]
    problem = check and check(value)
    if problem:
        raise ConfigError(f"{field.name} {problem}")
    return float(value) if field.type is float else value


def positive(value):
    return None if value > 0 else "must be positive"


def non_negative(value):
    return None if value >= 0 else "must be >= 0"


def fraction(value):
    return None if 0 <= value < 1 else "must be in [0, 1)"


def seed_range(value):
    return None if 0 <= value < 2**31 else "must be in [0, 2**31)"


def sequence_length(value):
    shortest = max(NGRAM_ORDERS)
    if value == 0 or value >= shortest:
        return None
    return (f"must be 0 (32) or at least {shortest}: the text measures count "
            f"{shortest}-grams of each line")


def not_empty(value):
    return None if value else "must not be empty"
