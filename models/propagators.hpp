#pragma once
// Exact propagators for linear subthreshold dynamics (Rotter & Diesmann 1999).
// For  dV/dt = -V/tau_m + I(t)/C_m  the effect after one step h of a synaptic
// current that decays with tau_s is an integral of the form
//   (1/C) * exp(-h/tau_m) * \int_0^h s^n exp(a s) ds,   a = 1/tau_m - 1/tau_s,
// with n = 0 for the current itself and n = 1 for the alpha kernel's derivative
// term. Written so that tau_s == tau_m (a == 0) and tau_s ~ tau_m need no
// special case: a series is used where the closed form would cancel.
// Host only: propagators are computed once and uploaded (DESIGN.md §1).

namespace myelin::models {

// \int_0^h s^n exp(a s) ds for n = 0 or 1.
double integral_power_exp(int n, double a, double h);

// Effect of I_syn(0) on V after h (exponential or alpha current I term).
double propagator_current(double tau_syn, double tau_m, double C_m, double h);

// Effect of the alpha kernel's dI/dt(0) on V after h.
double propagator_current_derivative(double tau_syn, double tau_m, double C_m, double h);

} // namespace myelin::models
