#pragma once
// Counter-based, splittable random numbers and samplers for the standard distributions.
//
// Keys. A `Key` is 128 bits naming a stream of 2^63 random 64-bit words. Keys are values: nothing
// advances a key in place. New keys are derived deterministically, as in JAX:
//   Key root = make_key(2024);
//   auto [k_init, k_chains] = split(root);            // two independent keys
//   std::vector<Key> chain_keys = split(k_chains, 4);  // one key per MCMC chain
//   Key k_iter = fold_in(chain_keys[c], iteration);    // one key per (chain, iteration)
// A computation that gives every unit of work (chain, VI sample, particle) its own key, derived
// from one seed by split/fold_in, draws the same numbers whatever the number of threads and
// whatever order the units run in.
//
// The cipher. Every output is one block of the counter-based block cipher Philox4x32-10
// (Salmon, Moraes, Dror, Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3", SC11): ten
// rounds, a 128-bit counter and a 64-bit cipher key. A Key (w0, w1) is used as the cipher key w0
// and the high half w1 of the counter; the low half of the counter is a 64-bit "tweak" whose top
// two bits say what the block is for:
//   tag 0  block i of the key's bit stream (Generator), i < 2^62;
//   tag 1  key i of split(key, n);
//   tag 2, 3  the two halves of fold_in's 64-bit data (fold_in costs two blocks).
// Because Philox is a bijection of the counter for a fixed cipher key, the blocks one key produces
// (stream blocks, split children, the first fold_in step) come from distinct counters and are
// therefore distinct; keys derived along different paths collide with probability ~2^-128.
// make_key(seed) is one block with the seed as counter under a fixed cipher key (the first 64
// fractional bits of sqrt(2)), so small consecutive seeds give unrelated keys.
//
// Generator. `Generator g(key)` reads the key's bit stream in counter mode: 64-bit words, two
// per Philox block. It satisfies std::uniform_random_bit_generator, so it also drives the
// <random> distributions, but the samplers below are the library's own and their output is fixed
// by this file alone (given the platform's libm: bit-identical results are promised on one
// platform and build, not across libm implementations). Copying a Generator copies its position:
// both copies then produce the same words. `discard(n)` skips n words in O(1).
//
// Samplers are free functions taking `Generator&`, named and parameterized as in Stan (the
// parameterization is stated on each). They check their parameters and throw tapir::domain_error
// ("gamma: shape is -1, must be positive and finite") or tapir::size_error. Draw consumption:
// uniform, standard_normal and every sampler by inversion use exactly one 64-bit word per draw;
// the rejection samplers (gamma, beta, dirichlet, student_t, inverse_gamma, poisson with rate
// >= 10, binomial with n min(p, 1 - p) >= 10, negative_binomial) use a random number of words.
// Give each independent unit its own key rather than relying on word counts.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/special_functions.hpp"

namespace tapir::distributions {

// ------------------------------------------------------------------------------------------------
// The cipher.
// ------------------------------------------------------------------------------------------------

// Philox4x32-10 (Salmon et al. 2011): the block cipher applied to a 128-bit counter (four 32-bit
// words, word 0 least significant) under a 64-bit key (two words). Round function, multipliers
// 0xD2511F53 and 0xCD9E8D57 and Weyl key increments 0x9E3779B9 and 0xBB67AE85 as in the paper.
inline std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr,
                                                  std::array<std::uint32_t, 2> key) noexcept {
  constexpr std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
  constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += w0;
      key[1] += w1;
    }
    const std::uint64_t p0 = m0 * ctr[0];
    const std::uint64_t p1 = m1 * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return ctr;
}

// ------------------------------------------------------------------------------------------------
// Keys.
// ------------------------------------------------------------------------------------------------

struct Key {
  std::uint64_t w0 = 0;  // Philox cipher key
  std::uint64_t w1 = 0;  // high half of the Philox counter
  friend bool operator==(const Key&, const Key&) = default;
};

namespace random_detail {

inline constexpr std::uint64_t tag_stream = 0;
inline constexpr std::uint64_t tag_split = 1;
inline constexpr std::uint64_t tag_fold_high = 2;
inline constexpr std::uint64_t tag_fold_low = 3;
inline constexpr std::uint64_t tweak_mask = (std::uint64_t{1} << 62) - 1;

// One Philox block of `key` at tweak (tag << 62 | index), as two 64-bit words (low word first).
inline std::array<std::uint64_t, 2> block(Key key, std::uint64_t tag,
                                          std::uint64_t index) noexcept {
  const std::uint64_t tweak = (tag << 62) | (index & tweak_mask);
  const auto out =
      philox4x32_10({static_cast<std::uint32_t>(tweak), static_cast<std::uint32_t>(tweak >> 32),
                     static_cast<std::uint32_t>(key.w1), static_cast<std::uint32_t>(key.w1 >> 32)},
                    {static_cast<std::uint32_t>(key.w0), static_cast<std::uint32_t>(key.w0 >> 32)});
  return {std::uint64_t{out[0]} | (std::uint64_t{out[1]} << 32),
          std::uint64_t{out[2]} | (std::uint64_t{out[3]} << 32)};
}

inline Key block_key(Key key, std::uint64_t tag, std::uint64_t index) noexcept {
  const auto b = block(key, tag, index);
  return {b[0], b[1]};
}

}  // namespace random_detail

// The root key of a seed: Philox4x32-10 of counter (seed, 0) under the cipher key made of the
// first 64 fractional bits of sqrt(2) (0x6a09e667f3bcc908).
inline Key make_key(std::uint64_t seed) noexcept {
  const auto out = philox4x32_10(
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32), 0u, 0u},
      {0xf3bcc908u, 0x6a09e667u});
  return {std::uint64_t{out[0]} | (std::uint64_t{out[1]} << 32),
          std::uint64_t{out[2]} | (std::uint64_t{out[3]} << 32)};
}

// n keys derived from `key`; split(key, n)[i] does not depend on n (a prefix property:
// split(key, 3) is the first three keys of split(key, 5)). n < 2^62.
inline std::vector<Key> split(Key key, std::size_t n) {
  std::vector<Key> keys(n);
  for (std::size_t i = 0; i < n; ++i)
    keys[i] = random_detail::block_key(key, random_detail::tag_split, i);
  return keys;
}

// The first two keys of split(key, n).
inline std::pair<Key, Key> split(Key key) noexcept {
  return {random_detail::block_key(key, random_detail::tag_split, 0),
          random_detail::block_key(key, random_detail::tag_split, 1)};
}

// A key derived from `key` and `data` (a chain, iteration or particle index), in two Philox
// blocks: data -> high = block(key, tag 2, data >> 32) -> block(high, tag 3, low 32 bits of data).
// Distinct data sharing their high half give distinct keys for certain; otherwise, and against the
// split children and stream blocks of `key`, as for any two derived keys (collision ~2^-128).
inline Key fold_in(Key key, std::uint64_t data) noexcept {
  const Key high = random_detail::block_key(key, random_detail::tag_fold_high, data >> 32);
  return random_detail::block_key(high, random_detail::tag_fold_low, data & 0xffffffffu);
}

// ------------------------------------------------------------------------------------------------
// The bit generator.
// ------------------------------------------------------------------------------------------------

class Generator {
 public:
  using result_type = std::uint64_t;

  explicit Generator(Key key) noexcept : key_(key) {}

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return ~std::uint64_t{0}; }
  result_type operator()() noexcept { return next_u64(); }

  // Word `position()` of the key's stream, then advance by one.
  std::uint64_t next_u64() noexcept {
    if ((position_ & 1) == 0)
      buffer_ = random_detail::block(key_, random_detail::tag_stream, position_ >> 1);
    return buffer_[position_++ & 1];
  }

  // A double uniform on the open interval (0, 1): (m + 1/2) 2^-53 for the top 53 bits m of one
  // word, so the smallest value is 2^-54 and the largest 1 - 2^-54, symmetric about 1/2.
  double uniform() noexcept { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }

  // Skip n words (O(1)).
  void discard(std::uint64_t n) noexcept {
    position_ += n;
    if ((position_ & 1) != 0)
      buffer_ = random_detail::block(key_, random_detail::tag_stream, position_ >> 1);
  }

  Key key() const noexcept { return key_; }
  // Number of words drawn (or discarded) so far.
  std::uint64_t position() const noexcept { return position_; }

 private:
  Key key_;
  std::uint64_t position_ = 0;
  std::array<std::uint64_t, 2> buffer_{};
};

// ------------------------------------------------------------------------------------------------
// Samplers. Continuous ones return double, counts std::int64_t, categorical a 0-based index.
// ------------------------------------------------------------------------------------------------

// Standard normal by inversion: inv_Phi(U) with U = g.uniform() (inv_Phi is Wichura's AS 241 with
// a Newton step, autodiff/special_functions.hpp). One word per draw; |z| <= 8.3.
inline double standard_normal(Generator& g) { return autodiff::inv_Phi(g.uniform()); }

// Fills `out` with independent standard normals.
inline void standard_normal(Generator& g, std::span<double> out) {
  for (double& x : out) x = standard_normal(g);
}

// normal(mu, sigma): mean mu, standard deviation sigma > 0.
double normal(Generator& g, double mu, double sigma);
// Uniform on (a, b), a < b, b - a finite: a + (b - a) U (rounding can return a or b itself when
// b - a is tiny relative to |a| or |b|).
double uniform(Generator& g, double a, double b);
// exponential(rate), mean 1 / rate; inversion -log(U) / rate.
double exponential(Generator& g, double rate);
// gamma(shape, rate), mean shape / rate, any shape > 0 (Marsaglia & Tsang 2000; for shape < 1
// the boost G(shape + 1) U^(1 / shape), computed in log space).
double gamma(Generator& g, double shape, double rate);
// chi_square(nu) = gamma(nu / 2, 1 / 2).
double chi_square(Generator& g, double nu);
// inverse_gamma(shape alpha, scale beta) as Stan's inv_gamma: beta / gamma(alpha, 1).
double inverse_gamma(Generator& g, double shape, double scale);
// beta(a, b) = G_a / (G_a + G_b) computed as inv_logit(log G_a - log G_b): no 0/0 for small a, b.
double beta(Generator& g, double a, double b);
// dirichlet(alpha): normalized gammas via their logarithms (softmax), accurate for small alpha.
std::vector<double> dirichlet(Generator& g, std::span<const double> alpha);
// student_t(nu, mu, sigma): mu + sigma Z sqrt(nu / chi_square(nu)).
double student_t(Generator& g, double nu, double mu, double sigma);
// cauchy(mu, sigma): inversion mu + sigma tan(pi (U - 1/2)).
double cauchy(Generator& g, double mu, double sigma);
// laplace(mu, sigma) as Stan's double_exponential (scale sigma): inversion.
double laplace(Generator& g, double mu, double sigma);
// logistic(mu, sigma): inversion mu + sigma logit(U).
double logistic(Generator& g, double mu, double sigma);
// lognormal(mu, sigma): exp(normal(mu, sigma)).
double lognormal(Generator& g, double mu, double sigma);
// weibull(shape alpha, scale sigma) as Stan: inversion sigma (-log U)^(1 / alpha).
double weibull(Generator& g, double shape, double scale);
// half_normal(sigma) = |normal(0, sigma)| (NumPyro's HalfNormal(scale)).
double half_normal(Generator& g, double sigma);
// half_cauchy(sigma) = |cauchy(0, sigma)|: inversion sigma tan(pi U / 2).
double half_cauchy(Generator& g, double sigma);

// bernoulli(p), p in [0, 1]: 1 with probability p.
int bernoulli(Generator& g, double p);
// bernoulli_logit(alpha) = bernoulli(inv_logit(alpha)).
int bernoulli_logit(Generator& g, double alpha);
// poisson(rate), 0 <= rate <= 2^60: inversion by sequential search for rate < 10, otherwise the
// transformed rejection method PTRS (Hoermann 1993, "The transformed rejection method for
// generating Poisson random variables", Insurance: Mathematics and Economics 12), with the
// log-pmf of the acceptance test in Loader's saddle-point form (Loader 2000, "Fast and accurate
// computation of binomial probabilities") so that it stays exact for huge rates.
std::int64_t poisson(Generator& g, double rate);
// binomial(n, p), 0 <= n < 2^53, p in [0, 1]: with s = min(p, 1 - p) (symmetry for p > 1/2),
// inversion by sequential search when n s < 10, otherwise BTRS (Hoermann 1993, "The generation of
// binomial random variates", J. Statist. Comput. Simul. 46), log-pmf again in Loader's form.
std::int64_t binomial(Generator& g, std::int64_t n, double p);
// negative_binomial(mu, phi) as Stan's neg_binomial_2: mean mu >= 0, variance mu + mu^2 / phi,
// phi > 0; drawn as the gamma-Poisson mixture poisson(gamma(phi, phi / mu)).
std::int64_t negative_binomial(Generator& g, double mu, double phi);
// The same sampler under Stan's name.
inline std::int64_t neg_binomial_2(Generator& g, double mu, double phi) {
  return negative_binomial(g, mu, phi);
}
// categorical(weights): index i with probability weights[i] / sum(weights). The weights must be
// finite and >= 0 with a positive sum; they need not be normalized. 0-based (Stan's is 1-based).
// Inversion: one word per draw.
std::size_t categorical(Generator& g, std::span<const double> probabilities);
// categorical_logit(logits): index i with probability softmax(logits)[i]; logits may be -inf
// (probability 0) but not +inf or NaN, and at least one must be finite. 0-based. One word.
std::size_t categorical_logit(Generator& g, std::span<const double> logits);

// multivariate_normal(mean, L): mean + L z with L the lower Cholesky factor of the covariance
// (only its lower triangle is read), z standard normal. Throws tapir::size_error unless L is
// n x n for n = mean.size().
std::vector<double> multivariate_normal(Generator& g, std::span<const double> mean,
                                        const autodiff::Matrix<double>& L);
// The same into caller storage `out` (size n), without allocating.
void multivariate_normal(Generator& g, std::span<const double> mean,
                         const autodiff::Matrix<double>& L, std::span<double> out);
// multivariate_normal_precision(mean, L): mean + L^-T z with L the lower Cholesky factor of the
// precision matrix (covariance (L L^T)^-1); one back substitution, diagonal of L must be > 0.
std::vector<double> multivariate_normal_precision(Generator& g, std::span<const double> mean,
                                                  const autodiff::Matrix<double>& L);
void multivariate_normal_precision(Generator& g, std::span<const double> mean,
                                   const autodiff::Matrix<double>& L, std::span<double> out);

}  // namespace tapir::distributions
