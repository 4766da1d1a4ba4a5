"""nest.math: redraw(), which bounds a distribution (values outside [min,
max] are drawn again, as myelin's distribution tables' min and max do)."""
from .random import Parameter


def redraw(parameter, min=float("-inf"), max=float("inf")):  # noqa: A002 (NEST's argument names)
    if not isinstance(parameter, Parameter):
        raise TypeError("nest.math.redraw takes a nest.random distribution")
    table = parameter.table()
    table["min"] = float(min)
    table["max"] = float(max)
    return Parameter(table)
