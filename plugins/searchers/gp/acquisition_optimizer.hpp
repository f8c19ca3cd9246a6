// Maximises log EI over the unit cube of a search space, after Optuna's
// optuna/_gp/optim_mixed.py (simplified, see below):
//  1. evaluate `n_candidates` uniformly random points (discrete dimensions
//     on their grids) and the warm starts (the best observed point);
//  2. refine the warm starts and the best random points, `n_local_search`
//     starts in all, by a local search that alternates
//     - projected L-BFGS over the continuous dimensions, clamped to the
//       cube, in coordinates scaled by the lengthscales (Optuna's
//       preconditioning: the kernel sees x / lengthscale), at most
//       `max_iterations` iterations a phase, and
//     - a coordinate search over each discrete dimension: every grid value
//       when it has at most 32, else its 8 neighbours on each side and 16
//       evenly spread values (Optuna: exhaustive up to 16, else a line search);
//     until neither changes the point (at most 5 rounds);
//  3. return the best point seen.
// All starts are optimised in one batch: every evaluation of the GP is one
// LibTorch call over the rows still moving (Optuna's batched L-BFGS-B idea),
// which keeps an ask within tens of milliseconds.
// Optuna picks the local-search starts beyond the best one by a roulette on
// the acquisition values and samples candidates by scrambled Sobol; here
// they are the top random points and plain uniform draws.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "gaussian_process.hpp"
#include "search_space_encoding.hpp"

namespace bertlab::gp {

struct AcquisitionOptions {
  std::int64_t n_candidates = 2048;
  std::int64_t n_local_search = 10;  // Optuna's n_local_search
  std::int64_t max_iterations = 100;
};

struct AcquisitionResult {
  std::vector<double> point;  // normalised, discrete dimensions on their grid
  double log_ei = 0.0;
};

AcquisitionResult maximize_log_ei(const GaussianProcess& gp, double best, const SearchSpaceEncoding& encoding,
                                  const std::vector<std::vector<double>>& warm_starts, std::mt19937_64& rng,
                                  const AcquisitionOptions& options = {});

}  // namespace bertlab::gp
