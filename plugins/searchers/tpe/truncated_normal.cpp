#include "truncated_normal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "seeded_rng.hpp"

namespace bertlab::tpe {

namespace {

constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log √(2π)

// Φ(x) for x <= 0 without cancellation: erfc keeps relative precision there.
double lower_ndtr(double x) { return 0.5 * std::erfc(-x / kSqrt2); }

// Acklam's rational approximation of Φ⁻¹ (relative error 1.2e-9), polished below.
double acklam(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  if (p < p_low) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - p_low) {
    const double q = std::sqrt(-2 * std::log1p(-p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace

double log_normal_pdf(double z) { return -0.5 * z * z - kLogSqrt2Pi; }

double log_ndtr(double x) {
  if (x > 6) return std::log1p(-0.5 * std::erfc(x / kSqrt2));  // Φ(x) = 1 - Q(x), Q tiny
  if (x > -20) return std::log(lower_ndtr(x));
  // Φ(x) ~ φ(x)/|x| · (1 - 1/x² + 3/x⁴ - 15/x⁶ + 105/x⁸) for x -> -∞; at x <= -20
  // the next term is below 1e-10 of the sum.
  const double r = 1 / (x * x);
  const double series = 1 - r * (1 - 3 * r * (1 - 5 * r * (1 - 7 * r)));
  return log_normal_pdf(x) - std::log(-x) + std::log(series);
}

double log_normal_mass(double a, double b) {
  if (a >= 0) return log_normal_mass(-b, -a);  // symmetry: work where Φ is small
  if (b <= 0) {
    const double log_b = log_ndtr(b), log_a = log_ndtr(a);
    return log_b + std::log1p(-std::exp(log_a - log_b));
  }
  // a < 0 < b: 1 minus both tails, each small and exact.
  return std::log1p(-(lower_ndtr(a) + lower_ndtr(-b)));
}

double ndtri(double p) {
  double x = acklam(p);
  if (std::abs(x) > 37) return x;  // denormal p: exp(x²/2) below would overflow
  // One Halley step on Φ(x) - p brings the approximation to double precision.
  const double e = (x <= 0 ? lower_ndtr(x) : 1 - lower_ndtr(-x)) - p;
  const double u = e * std::sqrt(2 * 3.14159265358979323846) * std::exp(0.5 * x * x);
  x -= u / (1 + 0.5 * x * u);
  return x;
}

double sample_truncated_standard_normal(double a, double b, std::mt19937_64& rng) {
  if (a >= 0) return -sample_truncated_standard_normal(-b, -a, rng);
  const double pa = lower_ndtr(a);
  const double pb = b <= 0 ? lower_ndtr(b) : 1 - lower_ndtr(-b);
  if (!(pb > 0)) {
    // Both ends beyond Φ's range (b < -37): the tail there is an exponential of
    // rate |b| to within 1/b², which is how it is sampled.
    return std::max(a, b + std::log(open_unit(rng)) / -b);
  }
  const double z = ndtri(pa + open_unit(rng) * (pb - pa));
  return std::clamp(z, a, b);
}

}  // namespace bertlab::tpe
