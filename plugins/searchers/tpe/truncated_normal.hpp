// The standard normal pieces TPE's kernels are made of: log Φ, the log of the
// mass between two points, the inverse CDF, and draws from a normal truncated
// to [a, b]. Optuna keeps its own versions (optuna/samplers/_tpe/_truncnorm.py)
// instead of scipy's for the same reason we need care here: kernels far from a
// candidate give masses of 1e-300 and below, whose logs must stay finite.
#pragma once

#include <random>

namespace bertlab::tpe {

// log Φ(x), finite for every finite x (asymptotic series in the far left tail).
double log_ndtr(double x);

// log(Φ(b) - Φ(a)) for a < b, computed in whichever tail keeps precision.
double log_normal_mass(double a, double b);

// Φ⁻¹(p) for p in (0, 1), to double precision.
double ndtri(double p);

// A draw from the standard normal truncated to [a, b] (a < b), by inverting
// the CDF in the lower tail (the upper tail is mapped onto it by symmetry).
double sample_truncated_standard_normal(double a, double b, std::mt19937_64& rng);

// log of the standard normal density.
double log_normal_pdf(double z);

}  // namespace bertlab::tpe
