"""record_to = "ascii": NEST's ASCII recording backend's files, written again
whole after every Simulate/Run (DATA_PATH/DATA_PREFIX LABEL-ID-0.dat, LABEL
defaulting to the model's name; one file per recorder, as NEST with one
virtual process)."""
import os

from .. import rank

HEADER = "# myelin.nest\n# RecordingBackendASCII version: 2\n"


def write_recorders(groups, status, events_of):
    for g in groups:
        if g.params.get("record_to") != "ascii":
            continue
        events = events_of(g)  # collective: every rank gathers every event
        if rank() != 0:  # one writes
            continue
        label = g.params.get("label") or g.model
        path = os.path.join(status["data_path"] or ".", "%s%s-%d-0.dat" % (status["data_prefix"], label, g.first))
        if os.path.exists(path) and not status["overwrite_files"] and getattr(g, "ascii_written", None) != path:
            raise FileExistsError("%s exists; NEST's overwrite_files is False (SetKernelStatus "
                                  "{'overwrite_files': True} replaces it)" % path)
        variables = [k for k in events if k not in ("senders", "times")]
        with open(path, "w") as f:
            f.write(HEADER)
            f.write("\t".join(["sender", "time_ms"] + variables) + "\n")
            columns = [events["senders"], events["times"]] + [events[v] for v in variables]
            for row in zip(*(c.tolist() for c in columns)):
                f.write("%d\t%.3f" % row[:2] + "".join("\t%.3f" % v for v in row[2:]) + "\n")
        g.ascii_written = path
