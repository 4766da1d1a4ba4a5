"""Spike rasters with the population rate below, and spike files as pandas
frames. Needs matplotlib and pandas (python3-matplotlib, python3-pandas);
reading files needs h5py (python3-h5py). tools/myelin-plot is the same code
on the command line; this module imports nothing else of myelin's, so the
tool runs without the compiled module.

    import myelin.plot
    fig = myelin.plot.raster(net)                    # a Network: all its populations
    fig = myelin.plot.raster("output/spikes.h5", start=100, stop=300)
    frame = myelin.plot.read_spikes("output/spikes.h5")   # population, id, time_ms
"""
import json
import os

import numpy as np


def read_spikes(path, populations=None):
    """A SONATA spike file (myelin's, NEST's through its SONATA backend, bmtk's)
    as a pandas DataFrame with columns population, id, time_ms, sorted by time.
    frame.attrs["sizes"] holds each population's size: from run.json beside
    the file when it is there, else the largest id seen plus one (a lower bound)."""
    import h5py

    wanted = list(populations or [])
    with h5py.File(path, "r") as f:
        if "spikes" not in f or not isinstance(f["spikes"], h5py.Group):
            raise ValueError("%s: not a SONATA spike file (no /spikes group)" % path)
        present = list(f["spikes"])
        missing = [p for p in wanted if p not in present]
        if missing:
            raise ValueError("%s: no population %s" % (path, ", ".join(missing)))
        names = [p for p in present if not wanted or p in wanted]
        data = {p: (f["spikes"][p]["timestamps"][:], f["spikes"][p]["node_ids"][:]) for p in names}
    sizes, order = {}, names
    run_json = os.path.join(os.path.dirname(os.path.abspath(path)), "run.json")
    if os.path.exists(run_json):
        with open(run_json) as f:
            described = json.load(f).get("populations", {})
        sizes = {p: described[p]["neurons"] for p in described if p in data}
        order = [p for p in described if p in data] + [p for p in names if p not in described]
    for p, (_, ids) in data.items():
        sizes.setdefault(p, int(ids.max()) + 1 if len(ids) else 1)
    frame = _frame({p: data[p] for p in order}, order)
    frame.attrs["sizes"] = {p: sizes[p] for p in order}
    return frame


def _frame(data, order):
    import pandas as pd

    parts = [pd.DataFrame({"population": pd.Categorical([p] * len(ids), categories=order),
                           "id": np.asarray(ids, dtype=np.int64), "time_ms": np.asarray(t, dtype=float)})
             for p, (t, ids) in data.items()]
    if not parts:
        return pd.DataFrame({"population": pd.Categorical([], categories=order), "id": np.zeros(0, np.int64),
                             "time_ms": np.zeros(0)})
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["time_ms", "population", "id"], kind="stable", ignore_index=True)


def _as_frame(spikes, populations):
    """A frame with attrs["sizes"] from a path, a Network, a DataFrame or (times, ids)."""
    if isinstance(spikes, (str, os.PathLike)):
        return read_spikes(spikes, populations)
    if hasattr(spikes, "spikes_frame"):  # a myelin.Network
        names = list(populations or spikes.populations)
        frame = spikes.spikes_frame(names)
        frame.attrs["sizes"] = {p: spikes.populations[p][1] for p in names}
        return frame
    if isinstance(spikes, tuple) and len(spikes) == 2:
        times, ids = (np.asarray(x) for x in spikes)
        frame = _frame({"spikes": (times, ids)}, ["spikes"])
        frame.attrs["sizes"] = {"spikes": int(ids.max()) + 1 if len(ids) else 1}
        return frame
    frame = spikes
    if populations:
        frame = frame[frame["population"].isin(list(populations))]
    if "sizes" not in frame.attrs:
        frame.attrs["sizes"] = {p: int(g["id"].max()) + 1 for p, g in frame.groupby("population", observed=True)}
    return frame


def window(frame, start=None, stop=None):
    """(start, stop) in ms: as given, else the first and last spike."""
    t = frame["time_ms"].to_numpy()
    start = float(t.min()) if start is None and len(t) else (start if start is not None else 0.0)
    stop = float(t.max()) if stop is None and len(t) else (stop if stop is not None else 1.0)
    if not stop > start:
        raise ValueError("the window's stop (%g ms) must be after its start (%g ms)" % (stop, start))
    return start, stop


def rates(spikes, start=None, stop=None, populations=None):
    """{population: mean rate in Hz over (start, stop]}."""
    frame = _as_frame(spikes, populations)
    start, stop = window(frame, start, stop)
    t = frame["time_ms"].to_numpy()
    inside = (t > start) & (t <= stop)
    out = {}
    for p, n in frame.attrs["sizes"].items():
        count = int(np.count_nonzero(inside & (frame["population"].to_numpy() == p)))
        out[p] = count / n / ((stop - start) * 1e-3)
    return out


def raster(spikes, start=None, stop=None, populations=None, max_neurons=0, bin_ms=5.0, title=None):
    """A raster (populations stacked, the first on top, one colour each) and,
    below it, the population rate of the neurons shown, in bins of bin_ms.
    spikes: a spike file's path, a myelin.Network, a frame from read_spikes()
    or Network.spikes_frame(), or (times, ids). Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    frame = _as_frame(spikes, populations)
    start, stop = window(frame, start, stop)
    sizes = frame.attrs["sizes"]
    order = list(sizes)
    colours = plt.get_cmap("tab10")
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    offset, ticks, shown_total = 0, [], 0
    edges = np.arange(start, stop + bin_ms, bin_ms)
    counts = np.zeros(len(edges) - 1)
    t_all, pop_all, id_all = (frame["time_ms"].to_numpy(), frame["population"].to_numpy(),
                              frame["id"].to_numpy())
    for k, p in enumerate(reversed(order)):  # first population on top
        shown = sizes[p] if not max_neurons else min(sizes[p], max_neurons)
        keep = (pop_all == p) & (t_all >= start) & (t_all <= stop) & (id_all < shown)
        colour = colours((len(order) - 1 - k) % 10)
        ax.scatter(t_all[keep], id_all[keep] + offset, s=1.5, marker="|", linewidths=0.5, color=colour,
                   rasterized=True)
        counts += np.histogram(t_all[keep], bins=edges)[0]
        ticks.append((offset + shown / 2, p))
        offset += shown
        shown_total += shown
    ax.set_yticks([y for y, _ in ticks], [p for _, p in ticks])
    ax.set_ylim(0, max(offset, 1))
    ax.set_xlim(start, stop)
    if title:
        ax.set_title(title)
    rate = counts / max(shown_total, 1) / (bin_ms * 1e-3)
    hist.bar(edges[:-1], rate, width=bin_ms, align="edge", color="0.3")
    hist.set_ylabel("rate (Hz)")
    hist.set_xlabel("time (ms)")
    fig.tight_layout()
    return fig


def rate_chart(mean_rates, title=None):
    """A bar chart of {population: rate in Hz}. Returns the Figure."""
    import matplotlib.pyplot as plt

    names = list(mean_rates)
    colours = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(max(4, 0.8 * len(names) + 2), 4))
    ax.bar(range(len(names)), [mean_rates[p] for p in names], color=[colours(k % 10) for k in range(len(names))])
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel("mean rate (Hz)")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
