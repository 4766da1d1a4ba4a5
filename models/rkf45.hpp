#pragma once
// The adaptive Runge–Kutta–Fehlberg 4(5) integration NEST's conductance and
// AdEx models use: GSL's rkf45 stepper, its standard step-size control and
// gsl_odeiv_evolve_apply's accept/retry logic, called in NEST's loop
// `while (t < dt) evolve_apply(...)` so one time step is covered by adaptive
// substeps and the last substep size carries over to the next time step.
// Written from the published scheme (Fehlberg's tableau, GSL's documented
// control), compiled for host and device alike: pow through portable_pow, no
// fused multiply-adds, so every backend takes the same substeps to the bit.
#include "models/host_device.hpp"
#include "models/portable_math.hpp"

namespace myelin::models {

// GSL's standard control: component i may be wrong by
//   eps_abs + eps_rel * (a_y |y_i| + a_dydt |h y'_i|).
// gsl_odeiv_control_y_new(abs, rel) is {abs, rel, 1, 0}; _yp_new is {abs, rel, 0, 1}.
struct error_control {
  double eps_abs, eps_rel, a_y, a_dydt;
};

namespace rkf45_detail {
inline constexpr double ah0 = 1.0 / 4.0, ah1 = 3.0 / 8.0, ah2 = 12.0 / 13.0, ah4 = 1.0 / 2.0;
inline constexpr double b3_0 = 3.0 / 32.0, b3_1 = 9.0 / 32.0;
inline constexpr double b4_0 = 1932.0 / 2197.0, b4_1 = -7200.0 / 2197.0, b4_2 = 7296.0 / 2197.0;
inline constexpr double b5_0 = 8341.0 / 4104.0, b5_1 = -32832.0 / 4104.0, b5_2 = 29440.0 / 4104.0,
                        b5_3 = -845.0 / 4104.0;
inline constexpr double b6_0 = -6080.0 / 20520.0, b6_1 = 41040.0 / 20520.0, b6_2 = -28352.0 / 20520.0,
                        b6_3 = 9295.0 / 20520.0, b6_4 = -5643.0 / 20520.0;
// Fifth-order weights, and fifth minus fourth order (the error estimate).
inline constexpr double c1 = 902880.0 / 7618050.0, c3 = 3953664.0 / 7618050.0, c4 = 3855735.0 / 7618050.0,
                        c5 = -1371249.0 / 7618050.0, c6 = 277020.0 / 7618050.0;
inline constexpr double e1 = 1.0 / 360.0, e3 = -128.0 / 4275.0, e4 = -2197.0 / 75240.0, e5 = 1.0 / 50.0,
                        e6 = 2.0 / 55.0;
inline constexpr double order = 5.0; // GSL's rkf45 reports order 5 to the control
inline constexpr double smallest_normal = 2.2250738585072014e-308;
} // namespace rkf45_detail

// One gsl_odeiv_evolve_apply: one accepted substep from t towards t1 (at most
// to t1), the state y advanced, h the size suggested for the next substep —
// left as it was when the substep was cut short to end at t1 (GSL does not
// let that last, possibly tiny, piece shrink the next step's size).
// `system(y, dydt)` evaluates the right-hand side (autonomous within a step).
template <int N, class System>
MYELIN_HD void rkf45_evolve_apply(const System& system, const error_control& con, double& t, double t1,
                                  double& h, double* y) {
  using namespace rkf45_detail;
  double y0[N], k1[N], k2[N], k3[N], k4[N], k5[N], k6[N], tmp[N], err[N], dydt_out[N];
  for (int i = 0; i < N; ++i)
    y0[i] = y[i];
  system(y0, k1);
  const double t0 = t, dt = t1 - t0;
  double h0 = h;
  bool final_step = false;
  for (;;) {
    final_step = h0 > dt;
    if (final_step)
      h0 = dt;
    for (int i = 0; i < N; ++i)
      tmp[i] = y0[i] + ah0 * h0 * k1[i];
    system(tmp, k2);
    for (int i = 0; i < N; ++i)
      tmp[i] = y0[i] + h0 * (b3_0 * k1[i] + b3_1 * k2[i]);
    system(tmp, k3);
    for (int i = 0; i < N; ++i)
      tmp[i] = y0[i] + h0 * (b4_0 * k1[i] + b4_1 * k2[i] + b4_2 * k3[i]);
    system(tmp, k4);
    for (int i = 0; i < N; ++i)
      tmp[i] = y0[i] + h0 * (b5_0 * k1[i] + b5_1 * k2[i] + b5_2 * k3[i] + b5_3 * k4[i]);
    system(tmp, k5);
    for (int i = 0; i < N; ++i)
      tmp[i] = y0[i] + h0 * (b6_0 * k1[i] + b6_1 * k2[i] + b6_2 * k3[i] + b6_3 * k4[i] + b6_4 * k5[i]);
    system(tmp, k6);
    for (int i = 0; i < N; ++i) {
      y[i] = y0[i] + h0 * (c1 * k1[i] + c3 * k3[i] + c4 * k4[i] + c5 * k5[i] + c6 * k6[i]);
      err[i] = h0 * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i]);
    }
    t = final_step ? t1 : t0 + h0;
    // The control: the worst ratio of error to what is allowed.
    if (con.a_dydt != 0.0)
      system(y, dydt_out);
    const double h_old = h0;
    double rmax = smallest_normal;
    for (int i = 0; i < N; ++i) {
      const double scale_y = con.a_y * (y[i] < 0 ? -y[i] : y[i]);
      const double hy = h_old * (con.a_dydt != 0.0 ? dydt_out[i] : 0.0);
      const double D0 = con.eps_rel * (scale_y + con.a_dydt * (hy < 0 ? -hy : hy)) + con.eps_abs;
      const double r = (err[i] < 0 ? -err[i] : err[i]) / (D0 < 0 ? -D0 : D0);
      rmax = r > rmax ? r : rmax;
    }
    if (rmax > 1.1) {
      // Smaller, by at most a factor of 5; retried unless the new size no
      // longer moves t (GSL keeps the step then).
      double r = 0.9 / portable_pow(rmax, 1.0 / order);
      r = r < 0.2 ? 0.2 : r;
      h0 = r * h_old;
      if (h0 < h_old && t + h0 != t) {
        for (int i = 0; i < N; ++i)
          y[i] = y0[i];
        continue;
      }
      h0 = h_old;
    } else if (rmax < 0.5) {
      double r = 0.9 / portable_pow(rmax, 1.0 / (order + 1.0));
      r = r > 5.0 ? 5.0 : r;
      r = r < 1.0 ? 1.0 : r;
      h0 = r * h_old;
    }
    break;
  }
  if (!final_step)
    h = h0;
}

// NEST's loop over one time step of length dt: substeps until t reaches dt.
// (A substep that no longer moves t would loop forever; GSL's control rules
// that out, the guard makes sure.)
template <int N, class System>
MYELIN_HD void rkf45_integrate(const System& system, const error_control& con, double dt, double& h,
                               double* y) {
  double t = 0.0;
  while (t < dt) {
    const double before = t;
    rkf45_evolve_apply<N>(system, con, t, dt, h, y);
    if (!(t > before))
      break;
  }
}

} // namespace myelin::models
