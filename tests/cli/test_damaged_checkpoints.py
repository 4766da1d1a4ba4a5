"""Checkpoints damaged in the ways fuzz/fuzz_checkpoint found (each once read
past a buffer, threw std::out_of_range, leaked, or converted out of range):
every one is refused with exit 2 and a message naming the file and the part,
by `inspect` and by `run --resume`. Where the damage would be caught by a
checksum, the checksum is recomputed as the format defines it, so the check
behind it is what is tested."""
import os
import shutil

import h5py
import numpy as np

from common import SOURCE, Failures, myelin, temp_dir

f = Failures()
MODEL = os.path.join(SOURCE, "fuzz", "checkpoint_model.toml")
out = temp_dir()
myelin("run", MODEL, "-o", out, "--quiet", "--duration", "20", "--checkpoint-at", "10", check=True)
GOOD = os.path.join(out, "checkpoints", "ckpt-100.h5")
M64 = (1 << 64) - 1


def mix(x):  # io/checksum.hpp: splitmix64's finaliser
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def checksum(values):
    values = np.ascontiguousarray(values).reshape(-1)
    bits = values.tolist() if values.dtype == np.uint8 else values.view(np.uint64).tolist()
    return sum(mix(((i * 0x632BE59BD9B4E019) & M64) ^ b) for i, b in enumerate(bits)) & M64


def damaged(name, edit):
    path = os.path.join(temp_dir(), name + ".h5")
    shutil.copy(GOOD, path)
    with h5py.File(path, "r+") as h:
        edit(h)
    return path


def refuse(path, words, what):
    for args in (["inspect", path], ["run", MODEL, "-o", temp_dir(), "--quiet", "--resume", path]):
        r = myelin(*args)
        f.check(r.returncode == 2 and path in r.stderr and all(w in r.stderr for w in words),
                f"{what} ({args[0]}): exit {r.returncode}, expected 2 naming {words}: {r.stderr.strip()[-400:]}")


def rewrite(h, name, values, fix_checksum=True):
    del h[name]
    h[name] = values
    if fix_checksum:
        h[name].attrs["checksum"] = np.array([checksum(values)], dtype=np.uint64)


r = myelin("inspect", GOOD)
f.check(r.returncode == 0 and "checksums verified" in r.stdout, f"the undamaged checkpoint: {r.stderr}")

# Attributes of the wrong shape: reading them overran a buffer or threw out_of_range.
def magic_array(h):
    del h.attrs["magic"]
    h.attrs["magic"] = np.array([b"myelin-checkpoint", b"x"])
refuse(damaged("magic-array", magic_array), ["magic", "one value"], "magic as two strings")


def version_array(h):
    del h.attrs["version"]
    h.attrs["version"] = np.array([b"a", b"b", b"c"])
refuse(damaged("version-array", version_array), ["version", "one value"], "version as three strings")


def empty_format(h):
    del h.attrs["format"]
    h.attrs["format"] = np.array([], dtype=np.uint64)
refuse(damaged("empty-format", empty_format), ["format", "one number"], "an empty format attribute")

# A variable-length string (8 bytes, like a number) where plastic weights belong: it leaked.
def string_weights(h):
    del h["plasticity/0/weight"]
    h.create_dataset("plasticity/0/weight", data=np.array([["w"]] * 200, dtype=h5py.string_dtype()))
    h["plasticity/0/weight"].attrs["checksum"] = np.array([0], dtype=np.uint64)
refuse(damaged("string-weights", string_weights), ["plasticity/0/weight", "element type"], "strings as weights")

# Values that pass their checksum but cannot be state: an undefined conversion, a sign the ring never holds.
def refractory_huge(h):
    values = h["populations/E/refractory_steps"][()]
    values[3] = 1e30
    rewrite(h, "populations/E/refractory_steps", values)
refuse(damaged("refractory", refractory_huge), ["refractory_steps", "whole number"], "refractory 1e30")


def refractory_fraction(h):
    values = h["populations/E/refractory_steps"][()]
    values[0] = 2.5
    rewrite(h, "populations/E/refractory_steps", values)
refuse(damaged("refractory-fraction", refractory_fraction), ["refractory_steps"], "refractory 2.5 steps")


def ring_sign(h):
    values = h["ring"][()]
    values[7, 2] = -12345  # channel 0 (excitatory) holds only positive input
    rewrite(h, "ring", values)
refuse(damaged("ring-sign", ring_sign), ["ring", "wrong sign"], "negative input in channel 0")

# Shapes that passed validation and then overran restore's buffers (7 values per neuron, a 3-D dataset).
def wide_population(h):
    rewrite(h, "populations/E/V_m", np.zeros((40, 7)))
refuse(damaged("wide-vm", wide_population), ["populations/E/V_m", "wrong shape"], "V_m with 7 columns")


def cube_population(h):
    rewrite(h, "populations/E/V_m", np.zeros((40, 1, 3)))
refuse(damaged("cube-vm", cube_population), ["populations/E/V_m", "wrong shape"], "a 3-D V_m")


def wide_weights(h):
    rewrite(h, "plasticity/0/weight", np.full((200, 2), 20.0))
refuse(damaged("wide-weights", wide_weights), ["plasticity/0/weight", "wrong shape"], "weights with 2 columns")

# A spec (checksum recomputed) naming a synapse model that does not exist: it was dereferenced as null.
def unknown_synapse_model(h):
    spec = h["spec"][()].tobytes().replace(b"stdp_synapse", b"stdp_synapsX")
    rewrite(h, "spec", np.frombuffer(spec, dtype=np.uint8))
refuse(damaged("unknown-synapse", unknown_synapse_model), ["unknown synapse model", "stdp_synapsX"],
       "a spec naming an unknown synapse model")

# A dataset that claims far more elements than the file holds (checked before allocating).
def huge_claim(h):
    del h["ring"]
    h.create_dataset("ring", shape=(50, 1 << 40), dtype=np.int64, chunks=(1, 1024))
    h["ring"].attrs["checksum"] = np.array([0], dtype=np.uint64)
refuse(damaged("huge-ring", huge_claim), ["ring", "more data than the file holds"], "a 2^46-element ring")
f.finish()
