"""nest.math: redraw(), which bounds a distribution (values outside [min,
max] are drawn again, as myelin's distribution tables' min and max do)."""
import builtins

from .random import Parameter


def redraw(parameter, min=float("-inf"), max=float("inf")):  # noqa: A002 (NEST's argument names)
    if not isinstance(parameter, Parameter):
        raise TypeError("nest.math.redraw takes a nest.random distribution")
    table = parameter.table()
    if table["dist"] == "uniform":
        # A uniform draw redrawn outside [min, max] is uniform on the overlap.
        table["low"] = builtins.max(table["low"], float(min))
        table["high"] = builtins.min(table["high"], float(max))
        return Parameter(table)
    table["min"] = float(min)
    table["max"] = float(max)
    return Parameter(table)
