#pragma once
// The univariate log densities, mass functions and log CDFs (Stan's names; see each header for
// the parameterization, requirements and derivative formulas, density_node.hpp for the vectorized
// single-node machinery).
#include "distributions/bernoulli.hpp"
#include "distributions/beta.hpp"
#include "distributions/binomial.hpp"
#include "distributions/categorical.hpp"
#include "distributions/cauchy.hpp"
#include "distributions/exponential.hpp"
#include "distributions/gamma.hpp"
#include "distributions/half_cauchy.hpp"
#include "distributions/half_normal.hpp"
#include "distributions/inv_gamma.hpp"
#include "distributions/laplace.hpp"
#include "distributions/logistic.hpp"
#include "distributions/lognormal.hpp"
#include "distributions/neg_binomial_2.hpp"
#include "distributions/normal.hpp"
#include "distributions/poisson.hpp"
#include "distributions/student_t.hpp"
#include "distributions/uniform.hpp"
#include "distributions/weibull.hpp"
