"""Reading what the profiles dump: XLA's optimised program text and the profiler's event names."""

import collections
import math
import re

_INSTRUCTION = re.compile(r"^\s*(?:ROOT )?%([\w.\-]+) = (\w+\[[\d,]*\])", re.M)
_DOT = re.compile(r"^\s*(?:ROOT )?%([\w.\-]+) = (\w+\[[\d,]*\])\S* dot\(%([\w.\-]+), "
                  r"%([\w.\-]+)\), lhs_contracting_dims=\{(\d*)\}", re.M)


def _dimensions(shape):
    return [int(size) for size in re.findall(r"\d+", shape.split("[", 1)[1])]


def dots(hlo_text):
    """`{instruction name: (shape key, FLOPs)}` of the program's matmuls."""
    shapes = dict(_INSTRUCTION.findall(hlo_text))
    found = {}
    for name, output, lhs, rhs, contracting in _DOT.findall(hlo_text):
        inner = _dimensions(shapes[lhs])[int(contracting)] if contracting else 1
        key = f"{shapes[lhs]} x {shapes[rhs]} -> {output}"
        found[name] = key, 2 * math.prod(_dimensions(output)) * inner
    return found


_LIBRARY_CALL = re.compile(r'custom_call_target="([^"]+)"|"kind":"(__\w+)"')


def library_calls(hlo_text):
    """`{target: count}` of the program's custom calls and library fusions (oneDNN, XNNPACK)."""
    return collections.Counter(custom or fusion for custom, fusion
                               in _LIBRARY_CALL.findall(hlo_text))


def op_type(event_name):
    """The op type of an executor event `"scope/name:Type"`, or `None` for bookkeeping."""
    scope, separator, kind = event_name.rpartition(":")
    if not separator or not scope or scope.endswith(":"):
        return None
    return kind
