#include "models/propagators.hpp"

#include <cmath>

namespace myelin::models {

double integral_power_exp(int n, double a, double h) {
  const double x = a * h;
  if (std::fabs(x) < 0.5) {
    // \int_0^h s^n e^{as} ds = sum_k a^k h^{k+n+1} / (k! (k+n+1)); |x| < 0.5
    // makes 30 terms far more than double precision needs.
    double term = std::pow(h, n + 1); // a^k h^{k+n+1} / k!
    double sum = 0.0;
    for (int k = 0; k < 30; ++k) {
      sum += term / (k + n + 1);
      term *= x / (k + 1);
    }
    return sum;
  }
  const double em1 = std::expm1(x);
  if (n == 0)
    return em1 / a;
  // \int_0^h s e^{as} ds = (h e^{ah})/a - (e^{ah} - 1)/a^2
  return (h * (em1 + 1.0) * a - em1) / (a * a);
}

double propagator_current(double tau_syn, double tau_m, double C_m, double h) {
  const double a = 1.0 / tau_m - 1.0 / tau_syn;
  return std::exp(-h / tau_m) * integral_power_exp(0, a, h) / C_m;
}

double propagator_current_derivative(double tau_syn, double tau_m, double C_m, double h) {
  const double a = 1.0 / tau_m - 1.0 / tau_syn;
  return std::exp(-h / tau_m) * integral_power_exp(1, a, h) / C_m;
}

} // namespace myelin::models
