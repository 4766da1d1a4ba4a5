"""The Brunel (2000) network with delta-shaped (voltage jump) synapses, as NEST's example
brunel_delta_nest.py builds it, written again from NEST's documentation of
that example (pynest/examples). Runs on NEST with `import nest`; here the one
changed line is the import. Prints one JSON line: rates and synapse count."""
import json
import sys
import time

import myelin.nest as nest  # the one changed line ("import nest" on NEST)


simtime = float(sys.argv[1]) if len(sys.argv) > 1 else 1000.0
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2

nest.ResetKernel()
startbuild = time.time()

dt = 0.1
delay = 1.5
g = 5.0
eta = 2.0
epsilon = 0.1
order = 2500
NE = 4 * order
NI = 1 * order
N_rec = 50
CE = int(epsilon * NE)
CI = int(epsilon * NI)
CMem = 1.0
tauMem = 20.0
theta = 20.0
J = 0.1

neuron_params = {"C_m": CMem, "tau_m": tauMem, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0,
                 "V_th": theta}
J_ex = J
J_in = -g * J_ex
nu_th = theta / (J * CE * tauMem)
nu_ex = eta * nu_th
p_rate = 1000.0 * nu_ex * CE

nest.SetKernelStatus({"resolution": dt, "print_time": True, "overwrite_files": True,
          "local_num_threads": threads})
nest.SetDefaults("iaf_psc_delta", neuron_params)
nest.SetDefaults("poisson_generator", {"rate": p_rate})

nodes_ex = nest.Create("iaf_psc_delta", NE)
nodes_in = nest.Create("iaf_psc_delta", NI)
noise = nest.Create("poisson_generator")
espikes = nest.Create("spike_recorder")
ispikes = nest.Create("spike_recorder")
espikes.set(label="brunel-py-ex", record_to="ascii")
ispikes.set(label="brunel-py-in", record_to="ascii")

nest.CopyModel("static_synapse", "excitatory", {"weight": J_ex, "delay": delay})
nest.CopyModel("static_synapse", "inhibitory", {"weight": J_in, "delay": delay})
nest.Connect(noise, nodes_ex, syn_spec="excitatory")
nest.Connect(noise, nodes_in, syn_spec="excitatory")
nest.Connect(nodes_ex[:N_rec], espikes, syn_spec="excitatory")
nest.Connect(nodes_in[:N_rec], ispikes, syn_spec="excitatory")
conn_params_ex = {"rule": "fixed_indegree", "indegree": CE}
nest.Connect(nodes_ex, nodes_ex + nodes_in, conn_params_ex, "excitatory")
conn_params_in = {"rule": "fixed_indegree", "indegree": CI}
nest.Connect(nodes_in, nodes_ex + nodes_in, conn_params_in, "inhibitory")

endbuild = time.time()
nest.Simulate(simtime)
endsimulate = time.time()

events_ex = espikes.n_events
events_in = ispikes.n_events
rate_ex = events_ex / simtime * 1000.0 / N_rec
rate_in = events_in / simtime * 1000.0 / N_rec
num_synapses = nest.GetDefaults("excitatory")["num_connections"] + nest.GetDefaults("inhibitory")["num_connections"]
result = {"rate_ex": rate_ex, "rate_in": rate_in, "num_synapses": num_synapses, "J_ex": J_ex,
          "p_rate": p_rate, "build_s": endbuild - startbuild, "sim_s": endsimulate - endbuild,
          "kernel_connections": nest.GetKernelStatus("num_connections")}
if nest.Rank() == 0:  # every rank computed the same (the calls above are collective)
    print(json.dumps(result))
