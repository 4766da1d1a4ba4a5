"""The network of NEST's hpc_benchmark.py (a Brunel network of iaf_psc_alpha
neurons with power-law STDP on E->E), written again from that example's
documentation: the same parameters, model names and order of calls; the
timing and memory reports of the original are left out. One changed line
(the import). Arguments: scale, simulated ms, threads. Prints one JSON line."""
import json
import math
import sys

import myelin.nest as nest  # the one changed line ("import nest" on NEST)

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
simtime = float(sys.argv[2]) if len(sys.argv) > 2 else 250.0
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1

params = {"nvp": threads, "scale": scale, "simtime": simtime, "presimtime": 0.0, "dt": 0.1, "rng_seed": 1234,
          "record_spikes": True}
tau_syn = 0.32582722
brunel_params = {
    "NE": int(9000 * params["scale"]),
    "NI": int(2250 * params["scale"]),
    "Nrec": 1000,
    "model_params": {"E_L": 0.0, "C_m": 250.0, "tau_m": 10.0, "t_ref": 0.5, "V_th": 20.0, "V_reset": 0.0,
                     "tau_syn_ex": tau_syn, "tau_syn_in": tau_syn, "tau_minus": 30.0, "V_m": 5.7},
    "randomize_Vm": True,
    "mean_potential": 5.7,
    "sigma_potential": 7.2,
    "delay": 1.5,
    "JE": 0.14,  # mV: the peak of the excitatory PSP
    "g": -5.0,
    "stdp_params": {"delay": 1.5, "alpha": 0.0513, "lambda": 0.1, "mu": 0.4, "tau_plus": 15.0},
    "eta": 1.685,
}


def convert_synapse_weight(tau_m, tau_syn, C_m):
    """pA of input per mV of PSP peak for alpha currents: the peak time from
    the Lambert W function (branch -1) by Newton's method, as the example's
    formula states it."""
    a = tau_m / tau_syn
    x = -math.exp(-1.0 / a) / a
    w = -2.0  # W_{-1}(x) for x in (-1/e, 0)
    for _ in range(100):
        w -= (w * math.exp(w) - x) / (math.exp(w) * (w + 1.0))
    t_rise = 1.0 / (1.0 / tau_syn - 1.0 / tau_m) * (-w - 1.0 / a)
    v_max = (math.exp(1.0) / (tau_syn * C_m * (1.0 / tau_syn - 1.0 / tau_m))
             * ((math.exp(-t_rise / tau_m) - math.exp(-t_rise / tau_syn)) / (1.0 / tau_syn - 1.0 / tau_m)
                - t_rise * math.exp(-t_rise / tau_syn)))
    return 1.0 / v_max


nest.ResetKernel()
nest.SetKernelStatus({"total_num_virtual_procs": params["nvp"], "resolution": params["dt"],
          "rng_seed": params["rng_seed"], "overwrite_files": True})
NE, NI = brunel_params["NE"], brunel_params["NI"]
model_params = brunel_params["model_params"]
nest.SetDefaults("iaf_psc_alpha", model_params)
E_neurons = nest.Create("iaf_psc_alpha", NE)
I_neurons = nest.Create("iaf_psc_alpha", NI)
if brunel_params["randomize_Vm"]:
    random_vm = nest.random.normal(brunel_params["mean_potential"], brunel_params["sigma_potential"])
    E_neurons.V_m = random_vm
    I_neurons.V_m = random_vm

CE = 9000  # in-degrees do not depend on the scale
CI = 2250
conn_params_ex = {"rule": "fixed_indegree", "indegree": CE, "allow_autapses": False, "allow_multapses": True}
conn_params_in = {"rule": "fixed_indegree", "indegree": CI, "allow_autapses": False, "allow_multapses": True}
JE_pA = brunel_params["JE"] * convert_synapse_weight(model_params["tau_m"], model_params["tau_syn_ex"],
                                          model_params["C_m"])
nu_thresh = model_params["V_th"] / (CE * model_params["tau_m"] / model_params["C_m"] * JE_pA * math.exp(1.0)
                        * tau_syn)
nu_ext = nu_thresh * brunel_params["eta"]
E_stimulus = nest.Create("poisson_generator", 1, {"rate": nu_ext * CE * 1000.0})

nest.SetDefaults("static_synapse_hpc", {"delay": brunel_params["delay"]})
nest.CopyModel("static_synapse_hpc", "syn_ex", {"weight": JE_pA})
nest.CopyModel("static_synapse_hpc", "syn_in", {"weight": brunel_params["g"] * JE_pA})
stdp_params = dict(brunel_params["stdp_params"], weight=JE_pA)
nest.SetDefaults("stdp_pl_synapse_hom_hpc", stdp_params)

nest.Connect(E_stimulus, E_neurons, {"rule": "all_to_all"}, {"synapse_model": "syn_ex"})
nest.Connect(E_stimulus, I_neurons, {"rule": "all_to_all"}, {"synapse_model": "syn_ex"})
nest.Connect(E_neurons, E_neurons, conn_params_ex, {"synapse_model": "stdp_pl_synapse_hom_hpc"})
nest.Connect(E_neurons, I_neurons, conn_params_ex, {"synapse_model": "syn_ex"})
nest.Connect(I_neurons, E_neurons, conn_params_in, {"synapse_model": "syn_in"})
nest.Connect(I_neurons, I_neurons, conn_params_in, {"synapse_model": "syn_in"})

if params["record_spikes"]:
    E_recorder = nest.Create("spike_recorder", params={"record_to": "ascii", "label": "hpc_benchmark"})
    nest.Connect(E_neurons[: brunel_params["Nrec"]], E_recorder)

nest.Prepare()
nest.Run(params["presimtime"])
nest.Run(params["simtime"])
nest.Cleanup()

events = E_recorder.events
n_rec = min(brunel_params["Nrec"], NE)
result = {"rate": E_recorder.n_events / n_rec / params["simtime"] * 1000.0, "n_events": E_recorder.n_events,
          "checksum": float((events["senders"] * events["times"]).sum()), "JE_pA": JE_pA,
          "rate_ext": nu_ext * CE * 1000.0, "num_connections": nest.GetKernelStatus("num_connections")}
if nest.Rank() == 0:  # every rank computed the same (the calls above are collective)
    print(json.dumps(result))
