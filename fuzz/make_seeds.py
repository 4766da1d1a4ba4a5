#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets that do not read plain text:

  OUT/sonata/       the SONATA example circuits of data/sonata as file trees
  OUT/checkpoint/   a checkpoint of fuzz/checkpoint_model.toml
  OUT/spec_archive/ the spec archives embedded in checkpoints of it and of two test models

in the byte forms of fuzz/file_tree.hpp and fuzz/h5_from_bytes.hpp (the
model-file target reads examples/ and tests/data/ as they are).

    fuzz/make_seeds.py --myelin build-fuzz/app/myelin --out build-fuzz/seeds
"""
import argparse
import os
import struct
import subprocess
import tempfile

import h5py
import numpy as np

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_ELEMENTS = 1 << 16
NUMERIC = {("i", 1): 0, ("u", 1): 1, ("i", 2): 2, ("u", 2): 3, ("i", 4): 4, ("u", 4): 5, ("i", 8): 6, ("u", 8): 7,
           ("f", 4): 8, ("f", 8): 9, ("b", 1): 1}
LITTLE = {0: "<i1", 1: "<u1", 2: "<i2", 3: "<u2", 4: "<i4", 5: "<u4", 6: "<i8", 7: "<u8", 8: "<f4", 9: "<f8"}


def str8(value):
    if isinstance(value, str):
        value = value.encode()
    value = bytes(value)[:255]
    return bytes([len(value)]) + value


def typed_values(value):
    """(type code, extra header bytes, shape, encode(k): the first k values' bytes) of an h5py value, or None."""
    array = np.asarray(value)
    dtype = array.dtype
    flat = array.reshape(-1)
    if h5py.check_string_dtype(dtype) is None and (h5py.check_enum_dtype(dtype) is not None or dtype.kind in "iufb"):
        code = NUMERIC.get((dtype.kind, dtype.itemsize))
        if code is None:
            return None
        return code, b"", array.shape, lambda k: flat[:k].astype(LITTLE[code]).tobytes()
    if dtype.kind in "SUO" or h5py.check_string_dtype(dtype) is not None:
        def encode(k):
            return b"".join(str8(x if isinstance(x, (bytes, str)) else str(x)) for x in flat[:k].tolist())
        if dtype.kind == "S":
            return 11, bytes([max(1, min(255, dtype.itemsize)) | 1]), array.shape, encode
        return 10, b"", array.shape, encode
    return None


def shape_and_count(shape):
    """The rank and dims h5_from_bytes reads (at most 3 dims of 65535, 65536 elements) and their product."""
    dims, n = [], 1
    for d in tuple(shape)[:3]:
        d = min(int(d), 65535)
        if n * d > MAX_ELEMENTS:
            d = MAX_ELEMENTS // n
        n *= d
        dims.append(d)
    return bytes([len(dims)]) + b"".join(struct.pack("<H", d) for d in dims), n


def typed_bytes(typed):
    code, extra, shape, encode = typed
    header, n = shape_and_count(shape)
    return bytes([code]) + extra + header + encode(n)


def h5_bytes(path):
    """The h5_from_bytes form of an existing HDF5 file."""
    entries = []

    def attributes(name, obj):
        if not obj.attrs:
            if isinstance(obj, h5py.Group):  # an empty name still creates the group
                entries.append(bytes([1]) + str8(name) + str8(b"") + bytes([1, 0, 0]))  # a scalar u8
            return
        for key in obj.attrs:
            try:
                typed = typed_values(obj.attrs[key])
            except (OSError, TypeError):
                typed = None
            if typed:
                entries.append(bytes([1]) + str8(name) + str8(key) + typed_bytes(typed))

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            typed = typed_values(obj[()]) if obj.dtype.names is None else None
            if typed:
                entries.append(bytes([0]) + str8(name) + typed_bytes(typed))
        attributes(name, obj)

    with h5py.File(path, "r") as h:
        attributes("/", h)
        h.visititems(visit)
    return struct.pack("<H", len(entries)) + b"".join(entries)


def tree_bytes(root, first):
    """A directory as a file tree, `first` (relative to root) first."""
    files = [first] + sorted(os.path.relpath(os.path.join(d, n), root) for d, _, names in os.walk(root)
                             for n in names if os.path.relpath(os.path.join(d, n), root) != first)
    out = [bytes([min(255, len(files))])]
    for rel in files[:255]:
        full = os.path.join(root, rel)
        if rel.endswith(".h5"):
            out.append(str8(rel) + bytes([1]) + h5_bytes(full))
        else:
            with open(full, "rb") as fh:
                text = fh.read()
            out.append(str8(rel) + bytes([0]) + struct.pack("<I", len(text)) + text)
    return b"".join(out)


def typed_circuit(root):
    """A small circuit in root with what the shipped ones lack: multisynapse nodes (tau_syn as a list) of two
    node types (parameters per neuron), edge types with receptor_type, a plastic edge type (stdp_synapse with
    its parameters in a JSON file), and a current clamp from a csv table."""
    import json
    with h5py.File(os.path.join(root, "a.h5"), "w") as h:
        h["nodes/a/node_type_id"] = np.full(3, 1, dtype=np.int8)
    with h5py.File(os.path.join(root, "b.h5"), "w") as h:
        h["nodes/b/node_type_id"] = np.array([1, 2, 1, 2], dtype=np.int8)
    with h5py.File(os.path.join(root, "e.h5"), "w") as h:
        e = h.create_group("edges/ab")
        e["source_node_id"] = np.array([0, 1, 2, 0], dtype=np.uint64)
        e["source_node_id"].attrs["node_population"] = "a"
        e["target_node_id"] = np.array([0, 1, 2, 3], dtype=np.uint64)
        e["target_node_id"].attrs["node_population"] = "b"
        e["edge_type_id"] = np.array([7, 8, 7, 9], dtype=np.uint16)
        e["0/syn_weight"] = np.array([20.0, 30.0, -10.0, 5.0])
    files = {"a.csv": "node_type_id model_type\n1 virtual\n",
             "b.csv": "node_type_id model_type model_template dynamics_params\n"
                      "1 point_process nest:iaf_psc_exp_multisynapse m1.json\n"
                      "2 point_process nest:iaf_psc_exp_multisynapse m2.json\n",
             "e.csv": "edge_type_id model_template receptor_type delay dynamics_params\n"
                      "7 static_synapse 1 1.0 NULL\n8 static_synapse 2 2.0 NULL\n9 nest:stdp_synapse 2 1.5 stdp.json\n",
             "clamp.csv": "timestamps amps\n5.0 200.0\n20.0 0.0\n"}
    for name, text in files.items():
        with open(os.path.join(root, name), "w") as fh:
            fh.write(text)
    for name, params in (("m1.json", {"tau_syn": [1.0, 4.0], "V_th": -50.0}),
                         ("m2.json", {"tau_syn": [2.0, 6.0], "V_th": -52.0}),
                         ("stdp.json", {"tau_plus": 20.0, "lambda": 0.01, "Wmax": 50.0})):
        with open(os.path.join(root, name), "w") as fh:
            json.dump(params, fh)
    with h5py.File(os.path.join(root, "in.h5"), "w") as h:
        h["spikes/a/timestamps"] = np.array([2.0, 3.0, 8.0])
        h["spikes/a/node_ids"] = np.array([0, 1, 2], dtype=np.uint64)
    circuit = {"networks": {"nodes": [{"nodes_file": "a.h5", "node_types_file": "a.csv"},
                                      {"nodes_file": "b.h5", "node_types_file": "b.csv"}],
                            "edges": [{"edges_file": "e.h5", "edge_types_file": "e.csv"}]}}
    with open(os.path.join(root, "circuit.json"), "w") as fh:
        json.dump(circuit, fh)
    config = {"run": {"tstop": 30.0, "dt": 0.1}, "node_sets_file": "sets.json", "network": "circuit.json",
              "inputs": {"in": {"input_type": "spikes", "module": "h5", "input_file": "in.h5", "node_set": "a"},
                         "clamp": {"input_type": "csv", "module": "IClamp", "file": "clamp.csv", "node_set": "b"}}}
    with open(os.path.join(root, "sets.json"), "w") as fh:
        json.dump({"a": {"population": "a"}, "b": {"population": "b"}}, fh)
    with open(os.path.join(root, "config.json"), "w") as fh:
        json.dump(config, fh)
    return "config.json"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--myelin", required=True, help="the myelin binary that writes the seed checkpoints")
    p.add_argument("--out", required=True)
    a = p.parse_args()

    sim_tests = os.path.join(SOURCE, "data", "sonata", "sim_tests")
    for name in ("ten_cells_spikes_nest", "ten_cells_iclamp_nest"):
        for config in ("config.json", "circuit_config.json"):
            first = os.path.join("intfire", name, "input", config)
            write(os.path.join(a.out, "sonata", f"{name}-{config}.bin"), tree_bytes(sim_tests, first))
    with tempfile.TemporaryDirectory() as root:
        write(os.path.join(a.out, "sonata", "typed_circuit.bin"), tree_bytes(root, typed_circuit(root)))

    models = [os.path.join(SOURCE, "fuzz", "checkpoint_model.toml"),
              os.path.join(SOURCE, "tests", "data", "all_rules.toml"),
              os.path.join(SOURCE, "tests", "data", "plastic.toml")]
    for model in models:
        name = os.path.splitext(os.path.basename(model))[0]
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([a.myelin, "run", model, "-o", out, "--quiet", "--threads", "1", "--duration", "20",
                            "--checkpoint-at", "10"], check=True)
            checkpoint = os.path.join(out, "checkpoints", "ckpt-100.h5")
            if name == "checkpoint_model":  # the others' digests differ: they would only reach validation
                # The first byte: checksums as written (0), or fixed by the harness (1).
                write(os.path.join(a.out, "checkpoint", f"{name}.bin"), b"\x00" + h5_bytes(checkpoint))
                write(os.path.join(a.out, "checkpoint", f"{name}-fixed.bin"), b"\x01" + h5_bytes(checkpoint))
            with h5py.File(checkpoint, "r") as h:
                write(os.path.join(a.out, "spec_archive", f"{name}.bin"), h["spec"][()].tobytes())


if __name__ == "__main__":
    main()
