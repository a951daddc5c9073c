#pragma once
// The categorical distribution on logits: categorical_logit_lpmf(k | beta) = log softmax(beta)[k]
// = beta[k] - log_sum_exp(beta).
//
// Categories are 0-BASED: k in {0, ..., K-1} for K = size(beta) (Stan counts from 1). k is an
// integer or a vector of integers (independent draws with the same logits; the result is the
// sum); k outside [0, K) gives -inf (Stan throws instead). Requirements: beta non-empty and
// finite. With m draws, c_i the number of draws equal to i and p = softmax(beta):
//   value = sum_j beta[k_j] - m log_sum_exp(beta),  d/dbeta_i = c_i - m p_i,
//   Hessian = -m (diag(p) - p p^T).
// One tape node per call when beta holds Vars.
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "autodiff/array_kernels.hpp"
#include "distributions/density_node.hpp"

namespace tapir::distributions {

namespace detail {

class CategoricalLogitNode final : public autodiff::Node {
 public:
  CategoricalLogitNode(autodiff::VarRef beta, const double* p, const double* grad, double m, index_t out)
      : beta_(beta), p_(p), grad_(grad), m_(m), out_(out) {}
  void reverse(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_];
    for (std::size_t i = 0; i < beta_.size(); ++i) s.adj[beta_[i]] += g * grad_[i];
  }
  void tangent(const autodiff::SweepArrays& s) const override {
    double d = 0.0;
    for (std::size_t i = 0; i < beta_.size(); ++i) d += grad_[i] * s.dot[beta_[i]];
    s.dot[out_] = d;
  }
  void reverse2(const autodiff::SweepArrays& s) const override {
    const double g = s.adj[out_], g2 = s.adj2[out_];
    double pv = 0.0;
    for (std::size_t i = 0; i < beta_.size(); ++i) pv += p_[i] * s.dot[beta_[i]];
    for (std::size_t i = 0; i < beta_.size(); ++i) {
      const index_t b = beta_[i];
      s.adj[b] += g * grad_[i];
      s.adj2[b] += g2 * grad_[i] - g * m_ * p_[i] * (s.dot[b] - pv);
    }
  }

 private:
  autodiff::VarRef beta_;
  const double* p_;
  const double* grad_;
  double m_;
  index_t out_;
};

}  // namespace detail

template <bool propto = false, class Kt, class Beta>
auto categorical_logit_lpmf(const Kt& k, const Beta& beta) {
  using namespace detail;
  static_assert(is_int_arg<Kt>, "categorical_logit_lpmf: k must be an integer or a vector of integers");
  static_assert(is_vector_v<Beta>, "categorical_logit_lpmf: beta must be a vector of logits");
  constexpr const char* fn = "categorical_logit_lpmf";
  using R = result_t<Kt, Beta>;
  const std::size_t nc = beta.size();
  if (nc == 0) fail(fn, "size of logits beta", 0.0, "positive");
  check_finite(fn, "logits beta", beta);
  if constexpr (propto && !is_ad_arg<Beta>) {
    return R(0.0);
  } else {
    const double kmax = static_cast<double>(nc);
    if (!all_of(k, [kmax](double v) { return v >= 0.0 && v < kmax; })) return R(-inf);
    const std::size_t m = arg_size(k);
    if (m == 0) return R(0.0);
    autodiff::Tape* t = nullptr;
    double* p;
    std::vector<double> local;
    if constexpr (std::is_same_v<R, Var>) {
      t = &autodiff::tape();
      p = t->arena().allocate_array<double>(nc);
    } else {
      local.resize(nc);
      p = local.data();
    }
    double mx = -inf, picked = 0.0;
    for (std::size_t i = 0; i < nc; ++i) {
      p[i] = dval(beta[i]);
      mx = p[i] > mx ? p[i] : mx;
    }
    for (std::size_t j = 0; j < m; ++j) picked += p[static_cast<std::size_t>(elem(k, j))];
    autodiff::vector_exp(p, mx, p, nc);
    const double total = autodiff::array_sum(p, nc);
    const double md = static_cast<double>(m), value = picked - md * (mx + std::log(total));
    if constexpr (std::is_same_v<R, double>) {
      return value;
    } else {
      const double inv_total = 1.0 / total;
      for (std::size_t i = 0; i < nc; ++i) p[i] *= inv_total;
      double* grad = std::is_same_v<R, Var> ? t->arena().allocate_array<double>(nc) : p;
      // grad = c - m p (in place over p for Dual, which no longer needs p).
      for (std::size_t i = 0; i < nc; ++i) grad[i] = -md * p[i];
      for (std::size_t j = 0; j < m; ++j) grad[static_cast<std::size_t>(elem(k, j))] += 1.0;
      if constexpr (std::is_same_v<R, Var>) {
        autodiff::VarRef ref(*t, beta.data(), nc);
        const index_t out = t->new_slot(value);
        t->make_node<CategoricalLogitNode>(ref, p, grad, md, out);
        return Var(value, out);
      } else {
        double tan = 0.0;
        for (std::size_t i = 0; i < nc; ++i) tan += grad[i] * beta[i].tan;
        return Dual<double>(value, tan);
      }
    }
  }
}

}  // namespace tapir::distributions
