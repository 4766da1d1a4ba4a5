"""nest.random: the distributions a PyNEST script draws parameters from
(weights, delays, initial membrane potentials), as myelin's distribution
tables. The draws are myelin's (per-target Philox streams), not NEST's: the
same distribution, not the same numbers."""


class Parameter:
    """A distribution; nest.math.redraw() bounds it."""

    def __init__(self, table):
        self._table = dict(table)

    def table(self):
        """The model file's distribution table."""
        return dict(self._table)

    def __repr__(self):
        return "nest.random(%r)" % (self._table,)

    def _unsupported(self, *args):
        raise NotImplementedError("arithmetic on nest.random parameters is not supported by myelin.nest; "
                                  "give the distribution's own parameters (mean, std, min, max) instead")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __neg__ = \
        __pow__ = _unsupported


def normal(mean=0.0, std=1.0):
    return Parameter({"dist": "normal", "mean": float(mean), "std": float(std)})


def uniform(min=0.0, max=1.0):  # noqa: A002 (NEST's argument names)
    return Parameter({"dist": "uniform", "low": float(min), "high": float(max)})


def lognormal(mean=0.0, std=1.0):
    return Parameter({"dist": "lognormal", "mean": float(mean), "std": float(std)})


def exponential(beta=1.0):
    return Parameter({"dist": "exponential", "beta": float(beta)})


def uniform_int(max):  # noqa: A002
    raise NotImplementedError("nest.random.uniform_int is not supported by myelin.nest")
