#!/usr/bin/env python3
"""Writes the Potjans & Diesmann (2014) cortical microcircuit as a myelin
model file, at any scale, following the reference implementation
(INM-6/microcircuit-PD14-model, formerly NEST's Potjans_2014 example):

  - neuron counts N * scale; synapse counts from the connection probabilities
    at full size, Q = ln(1 - C) / ln((Ns Nt - 1) / (Ns Nt)), times scale^2
    (N_scaling = K_scaling = scale), wired with fixed_total_number;
  - weights from a normal distribution (sd 10 %) redrawn until they keep their
    sign: 87.81 pA excitatory, g = -4 inhibitory, L4E -> L23E doubled, all
    divided by sqrt(scale);
  - delays normal (1.5 ms excitatory, 0.75 ms inhibitory sources, sd 50 %),
    redrawn below dt;
  - background: one Poisson generator per population at 8 Hz * K_ext * scale,
    or the equivalent DC; below full scale, a DC term compensates the missing
    recurrent (and external) input, computed from the full-scale mean rates;
  - initial V_m per population from the "optimized" distributions;
  - optional thalamic input (902 neurons at 120 Hz from 700 to 710 ms).

Python standard library only. Usage:
    make_microcircuit.py --scale 0.1 --background poisson -o microcircuit_0.1.toml
"""
import argparse
import math
import sys

POPULATIONS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
FULL_N = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# Connection probability C[target][source].
CONN_PROBS = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443],
]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
FULL_MEAN_RATES = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]  # Hz, for the DC compensation
V0_MEAN = [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]  # mV, "optimized"
V0_SD = [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]
NEURON = {"C_m": 250.0, "tau_m": 10.0, "tau_syn": 0.5, "E_L": -65.0, "V_th": -50.0, "V_reset": -65.0, "t_ref": 2.0}
PSP_EXC = 0.15  # mV
G = -4.0
WEIGHT_REL_SD = 0.1
DELAY_MEAN = {"E": 1.5, "I": 0.75}  # ms, by source type
DELAY_REL_SD = 0.5
BG_RATE = 8.0  # Hz per external input
POISSON_DELAY = 1.5  # ms
DT = 0.1
THALAMUS = {"N": 902, "rate": 120.0, "start": 700.0, "duration": 10.0,
            "conn_probs": [0.0, 0.0, 0.0983, 0.0619, 0.0, 0.0, 0.0512, 0.0196], "PSP": 0.15}


def psc_over_psp(C_m, tau_m, tau_syn):
    """Peak current per mV of PSP for exponential currents (the reference's helper)."""
    sub = 1.0 / (tau_syn - tau_m)
    pre = tau_m * tau_syn / C_m * sub
    frac = (tau_m / tau_syn) ** sub
    return 1.0 / (pre * (frac ** tau_m - frac ** tau_syn))


def synapses_from_probability(p, n_source, n_target):
    if p == 0.0:
        return 0.0
    prod = float(n_source) * float(n_target)
    return math.log(1.0 - p) / math.log((prod - 1.0) / prod)


def fmt(x):
    return repr(float(x))


def build(scale, background, thalamus):
    k = scale  # N_scaling = K_scaling, as the reference does
    conversion = psc_over_psp(NEURON["C_m"], NEURON["tau_m"], NEURON["tau_syn"])
    n = [int(round(N * k)) for N in FULL_N]
    full_syn = [[synapses_from_probability(CONN_PROBS[t][s], FULL_N[s], FULL_N[t]) for s in range(8)]
                for t in range(8)]
    n_syn = [[int(round(full_syn[t][s] * k * k)) for s in range(8)] for t in range(8)]
    psc = [[PSP_EXC * conversion * (G if s % 2 else 1.0) * (2.0 if (t, s) == (0, 2) else 1.0) for s in range(8)]
           for t in range(8)]
    psc_ext = PSP_EXC * conversion
    ext_indegree = [int(round(K * k)) for K in K_EXT]
    poisson = background == "poisson"
    dc = [0.0 if poisson else BG_RATE * ext_indegree[t] * psc_ext * NEURON["tau_syn"] * 0.001 for t in range(8)]
    if k != 1.0:
        # Compensate the mean input lost by scaling in-degrees (the reference's
        # adjust_weights_and_input_to_synapse_scaling).
        for t in range(8):
            recurrent = sum(psc[t][s] * full_syn[t][s] / FULL_N[t] * FULL_MEAN_RATES[s] for s in range(8))
            dc[t] += 0.001 * NEURON["tau_syn"] * (1.0 - math.sqrt(k)) * recurrent
            if poisson:
                dc[t] += 0.001 * NEURON["tau_syn"] * (1.0 - math.sqrt(k)) * psc_ext * K_EXT[t] * BG_RATE
    weight = [[psc[t][s] / math.sqrt(k) for s in range(8)] for t in range(8)]
    weight_ext = psc_ext / math.sqrt(k)

    out = []
    w = out.append
    w("# Potjans & Diesmann (2014) cortical microcircuit, scale %s, %s background%s." %
      (fmt(scale), background, ", with thalamic input" if thalamus else ""))
    w("# Written by examples/microcircuit/make_microcircuit.py --scale %s --background %s%s; do not edit:"
      % (fmt(scale), background, " --thalamus" if thalamus else ""))
    w("# regenerate. Neurons %d, synapses %d (fixed_total_number)." %
      (sum(n), sum(map(sum, n_syn)) + (0 if not thalamus else 0)))
    w("")
    w("[run]")
    w("dt = %s" % fmt(DT))
    w("duration = 1100.0   # 100 ms of warm-up, then 1 s")
    w("seed = 55")
    for t, name in enumerate(POPULATIONS):
        w("")
        w("[populations.%s]" % name)
        w('model = "iaf_psc_exp"')
        w("size = %d" % n[t])
        w("params = { C_m = %s, tau_m = %s, tau_syn_ex = %s, tau_syn_in = %s, E_L = %s, V_th = %s, V_reset = %s, "
          "t_ref = %s, I_e = %s }" % (fmt(NEURON["C_m"]), fmt(NEURON["tau_m"]), fmt(NEURON["tau_syn"]),
                                     fmt(NEURON["tau_syn"]), fmt(NEURON["E_L"]), fmt(NEURON["V_th"]),
                                     fmt(NEURON["V_reset"]), fmt(NEURON["t_ref"]), fmt(dc[t])))
        w('init = { V_m = { dist = "normal", mean = %s, std = %s } }' % (fmt(V0_MEAN[t]), fmt(V0_SD[t])))
    if thalamus:
        w("")
        w("[populations.TC]")
        w('model = "poisson_source"')
        w("size = %d" % int(round(THALAMUS["N"] * k)))
        w("params = { rate = %s, start = %s, stop = %s }" % (
            fmt(THALAMUS["rate"]), fmt(THALAMUS["start"]), fmt(THALAMUS["start"] + THALAMUS["duration"])))
    for t in range(8):
        for s in range(8):
            if n_syn[t][s] == 0:
                continue
            mean = weight[t][s]
            bound = "min = 0.0" if mean > 0 else "max = 0.0"  # redrawn until the sign is kept
            d = DELAY_MEAN["I" if s % 2 else "E"]
            w("")
            w("[[projections]]")
            w('source = "%s"' % POPULATIONS[s])
            w('target = "%s"' % POPULATIONS[t])
            w('rule = { kind = "fixed_total_number", N = %d }' % n_syn[t][s])
            w('synapse = { weight = { dist = "normal", mean = %s, std = %s, %s }, '
              'delay = { dist = "normal", mean = %s, std = %s, min = %s } }'
              % (fmt(mean), fmt(abs(mean) * WEIGHT_REL_SD), bound, fmt(d), fmt(d * DELAY_REL_SD), fmt(DT)))
    if thalamus:
        w_th = THALAMUS["PSP"] * conversion / math.sqrt(k)
        for t in range(8):
            q = synapses_from_probability(THALAMUS["conn_probs"][t], THALAMUS["N"], FULL_N[t])
            count = int(round(q * k * k))
            if count == 0:
                continue
            w("")
            w("[[projections]]")
            w('source = "TC"')
            w('target = "%s"' % POPULATIONS[t])
            w('rule = { kind = "fixed_total_number", N = %d }' % count)
            w('synapse = { weight = { dist = "normal", mean = %s, std = %s, min = 0.0 }, '
              'delay = { dist = "normal", mean = %s, std = %s, min = %s } }'
              % (fmt(w_th), fmt(w_th * WEIGHT_REL_SD), fmt(1.5), fmt(1.5 * DELAY_REL_SD), fmt(DT)))
    if poisson:
        for t, name in enumerate(POPULATIONS):
            w("")
            w("[devices.background_%s]" % name)
            w('model = "poisson_generator"')
            w("rate = %s   # Hz = %d inputs x %s Hz" % (fmt(BG_RATE * ext_indegree[t]), ext_indegree[t], fmt(BG_RATE)))
            w('targets = ["%s"]' % name)
            w("weight = %s" % fmt(weight_ext))
            w("delay = %s" % fmt(POISSON_DELAY))
    w("")
    w("[recorders.spikes]")
    w('kind = "spikes"')
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="N_scaling = K_scaling (0 < scale <= 1)")
    ap.add_argument("--background", choices=["poisson", "dc"], default="poisson")
    ap.add_argument("--thalamus", action="store_true", help="add the thalamic input (off by default)")
    ap.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    args = ap.parse_args()
    if not 0.0 < args.scale <= 1.0:
        ap.error("--scale must be in (0, 1]")
    text = build(args.scale, args.background, args.thalamus)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
