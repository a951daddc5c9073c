// Neural-network building blocks (models/nn): activations, dense and masked layers, the MLP.
// Forward passes against a hand-written scalar loop over the documented parameter layout, the
// three scalar types against each other, gradients and Hessian-vector products against finite
// differences (check_derivatives), initializer moments against their stated scales, and counts.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "models/nn/activation.hpp"
#include "models/nn/linear.hpp"
#include "models/nn/mlp.hpp"

using namespace tapir::autodiff;
using tapir::models::nn::Activation;
using tapir::models::nn::Init;
using tapir::models::nn::Linear;
using tapir::models::nn::MLP;
namespace nn = tapir::models::nn;
namespace dist = tapir::distributions;

namespace {

const Activation all_activations[] = {Activation::identity, Activation::tanh,     Activation::relu,
                                      Activation::gelu,     Activation::softplus, Activation::sigmoid};

std::vector<double> normals(std::mt19937_64& rng, std::size_t n, double sd = 1.0) {
  std::normal_distribution<double> nd(0.0, sd);
  std::vector<double> v(n);
  for (double& e : v) e = nd(rng);
  return v;
}

// A random direction of unit length (keeps the finite-difference step along it small).
std::vector<double> unit_direction(std::mt19937_64& rng, std::size_t n) {
  std::vector<double> v = normals(rng, n);
  double s = 0.0;
  for (double e : v) s += e * e;
  for (double& e : v) e /= std::sqrt(s);
  return v;
}

Matrix<double> random_matrix(std::mt19937_64& rng, std::size_t r, std::size_t c) {
  Matrix<double> m(r, c);
  const auto v = normals(rng, r * c);
  for (std::size_t k = 0; k < r * c; ++k) m.data()[k] = v[k];
  return m;
}

// The activations written out on doubles, independently of the library.
double scalar_activation(Activation a, double x) {
  switch (a) {
    case Activation::identity: return x;
    case Activation::tanh: return std::tanh(x);
    case Activation::relu: return x > 0.0 ? x : 0.0;
    case Activation::gelu: return x * 0.5 * std::erfc(-x / std::sqrt(2.0));
    case Activation::softplus: return x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    case Activation::sigmoid: return 1.0 / (1.0 + std::exp(-x));
  }
  return x;
}

// The network as nested loops over the documented layout: per layer W (in x out, row-major), b.
std::vector<double> reference_forward(const std::vector<std::size_t>& widths, Activation hidden, Activation output,
                                      const std::vector<double>& theta, const std::vector<double>& x) {
  std::vector<double> h = x;
  std::size_t off = 0;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const std::size_t in = widths[l], out = widths[l + 1];
    std::vector<double> next(out);
    for (std::size_t j = 0; j < out; ++j) {
      double s = theta[off + in * out + j];
      for (std::size_t i = 0; i < in; ++i) s += h[i] * theta[off + i * out + j];
      next[j] = scalar_activation(l + 2 == widths.size() ? output : hidden, s);
    }
    off += in * out + out;
    h = next;
  }
  return h;
}

// Sum of squared differences between the network's output on a data batch and a target.
struct SquaredLoss {
  const MLP* net;
  Matrix<double> x, y;
  template <class V>
  auto operator()(const V& theta) const {
    using T = typename V::value_type;
    const Matrix<T> out = net->forward(theta, x);
    const Matrix<T> r = out - y;
    T s = 0.0;
    for (std::size_t k = 0; k < r.size(); ++k) s += r.data()[k] * r.data()[k];
    return s;
  }
};

}  // namespace

TEST_CASE("parameter counts and offsets") {
  MLP net({3, 5, 4, 2}, Activation::tanh);
  CHECK(net.num_parameters() == (3 * 5 + 5) + (5 * 4 + 4) + (4 * 2 + 2));
  CHECK(net.num_parameters() == 54);
  CHECK(net.num_layers() == 3);
  CHECK(net.parameter_offset(0) == 0);
  CHECK(net.parameter_offset(1) == 20);
  CHECK(net.parameter_offset(2) == 44);
  CHECK(net.parameter_offset(3) == 54);
  CHECK(net.input_size() == 3);
  CHECK(net.output_size() == 2);
  CHECK(net.widths() == std::vector<std::size_t>{3, 5, 4, 2});
  CHECK(Linear(7, 3).num_parameters() == 24);
  CHECK(MLP({4, 1}).num_parameters() == 5);

  // A masked layer has only its kept weights.
  Linear masked(2, 3, {1, 0, 1, 0, 0, 1});
  CHECK(masked.num_weights() == 3);
  CHECK(masked.num_parameters() == 6);
  const std::vector<double> p{1, 2, 3, 4, 5, 6};
  const Matrix<double> w = masked.weights(std::span<const double>(p));
  CHECK(w(0, 0) == 1);
  CHECK(w(0, 1) == 0);
  CHECK(w(0, 2) == 2);
  CHECK(w(1, 0) == 0);
  CHECK(w(1, 1) == 0);
  CHECK(w(1, 2) == 3);
  const Vector<double> b = masked.bias(std::span<const double>(p));
  CHECK(b[0] == 4);
  CHECK(b[2] == 6);

  CHECK_THROWS_AS(MLP(std::vector<std::size_t>{3}), tapir::size_error);
  CHECK_THROWS_AS(Linear(2, 2, {1, 0, 1}), tapir::size_error);
  std::vector<double> wrong(53);
  CHECK_THROWS_AS(net.forward(std::span<const double>(wrong), Matrix<double>(1, 3)), tapir::size_error);
  std::vector<double> right(54);
  CHECK_THROWS_AS(net.forward(std::span<const double>(right), Matrix<double>(1, 4)), tapir::size_error);
}

TEST_CASE("forward matches a hand-written scalar loop for every activation") {
  std::mt19937_64 rng(11);
  const std::vector<std::size_t> widths{3, 6, 5, 2};
  for (Activation hidden : all_activations)
    for (Activation output : {Activation::identity, Activation::sigmoid}) {
      CAPTURE(nn::to_string(hidden));
      CAPTURE(nn::to_string(output));
      MLP net(widths, hidden, output);
      const std::vector<double> theta = normals(rng, net.num_parameters(), 0.8);
      const Matrix<double> x = random_matrix(rng, 4, 3);
      const Matrix<double> y = net.forward(theta, x);
      REQUIRE(y.rows() == 4);
      REQUIRE(y.cols() == 2);
      for (std::size_t r = 0; r < 4; ++r) {
        const std::vector<double> row(x.row(r), x.row(r) + 3);
        const std::vector<double> ref = reference_forward(widths, hidden, output, theta, row);
        for (std::size_t j = 0; j < 2; ++j) CHECK(y(r, j) == doctest::Approx(ref[j]).epsilon(1e-13));
      }
      // The single-vector form.
      const Vector<double> x0{x(0, 0), x(0, 1), x(0, 2)};
      const Vector<double> y0 = net.forward(theta, x0);
      CHECK(y0[0] == y(0, 0));
      CHECK(y0[1] == y(0, 1));
    }
}

TEST_CASE("double, Var and Dual agree") {
  std::mt19937_64 rng(12);
  for (Activation hidden : all_activations) {
    CAPTURE(nn::to_string(hidden));
    MLP net({2, 4, 3}, hidden);
    const std::vector<double> theta = normals(rng, net.num_parameters());
    const std::vector<double> dir = normals(rng, net.num_parameters());
    const Matrix<double> x = random_matrix(rng, 3, 2);
    const Matrix<double> yd = net.forward(theta, x);

    // Var: same values; the gradient of a weighted sum gives the directional derivative.
    const std::vector<double> wts = normals(rng, yd.size());
    auto f = [&](const auto& th) {
      using T = typename std::remove_cvref_t<decltype(th)>::value_type;
      const Matrix<T> y = net.forward(th, x);
      T s = 0.0;
      for (std::size_t k = 0; k < y.size(); ++k) s += wts[k] * y.data()[k];
      return s;
    };
    {
      NestedScope scope;
      std::vector<Var> tv(theta.begin(), theta.end());
      for (auto& v : tv) v = Var::independent(v.value());
      const Matrix<Var> yv = net.forward(tv, x);
      for (std::size_t k = 0; k < yd.size(); ++k) CHECK(yv.data()[k].value() == doctest::Approx(yd.data()[k]).epsilon(1e-14));
    }
    const ValueAndGradient vg = value_and_gradient(f, theta);
    const ValueAndDerivative dd = directional_derivative(f, theta, dir);
    double gv = 0.0;
    for (std::size_t i = 0; i < theta.size(); ++i) gv += vg.gradient[i] * dir[i];
    CHECK(dd.value == doctest::Approx(vg.value).epsilon(1e-13));
    CHECK(dd.derivative == doctest::Approx(gv).epsilon(1e-11));
  }
}

TEST_CASE("gradients and Hessian-vector products with respect to the parameters") {
  std::mt19937_64 rng(13);
  for (Activation hidden : all_activations) {
    CAPTURE(nn::to_string(hidden));
    MLP net({3, 5, 4, 2}, hidden);
    SquaredLoss loss{&net, random_matrix(rng, 5, 3), random_matrix(rng, 5, 2)};
    const std::vector<double> theta = normals(rng, net.num_parameters(), 0.7);
    DerivativeCheckOptions opt;
    for (int k = 0; k < 4; ++k) opt.directions.push_back(unit_direction(rng, theta.size()));
    opt.tolerance = 1e-6;
    const DerivativeCheck c = check_derivatives(loss, theta, opt);
    CHECK_MESSAGE(c.ok, c.report());
  }
}

TEST_CASE("gradients and Hessian-vector products with respect to the input") {
  std::mt19937_64 rng(14);
  for (Activation hidden : all_activations) {
    CAPTURE(nn::to_string(hidden));
    MLP net({4, 6, 3}, hidden, Activation::softplus);
    const std::vector<double> theta = normals(rng, net.num_parameters());
    const std::vector<double> x0 = normals(rng, 8);
    // Parameters as data, the input (a 2 x 4 batch) as variables.
    auto f = [&](const auto& xv) {
      using T = typename std::remove_cvref_t<decltype(xv)>::value_type;
      Matrix<T> x(2, 4);
      for (std::size_t k = 0; k < 8; ++k) x.data()[k] = xv[k];
      const Matrix<T> y = net.forward(std::span<const double>(theta), x);
      return sum(y);
    };
    const DerivativeCheck c = check_derivatives(f, x0);
    CHECK_MESSAGE(c.ok, c.report());
  }
}

TEST_CASE("a ReLU network is piecewise linear in its input: exact zero Hessian") {
  std::mt19937_64 rng(15);
  MLP net({3, 8, 8, 1}, Activation::relu);
  const std::vector<double> theta = normals(rng, net.num_parameters());
  auto f = [&](const auto& xv) { return net.forward(std::span<const double>(theta), xv)[0]; };
  const std::vector<double> x = normals(rng, 3), v = normals(rng, 3);
  const HessianVectorProduct h = hvp(f, x, v);
  for (double e : h.hvp) CHECK(e == 0.0);
  // ... and the gradient is a product of the active weights: nonzero somewhere.
  double g2 = 0.0;
  for (double e : h.gradient) g2 += e * e;
  CHECK(g2 > 0.0);
}

TEST_CASE("activations on scalars, vectors and matrices; GELU rules") {
  // relu: derivative 1 above 0, 0 below, second derivative 0.
  auto relu_sum = [](const auto& x) { return sum(nn::relu(x)); };
  const std::vector<double> xs{-1.5, -0.2, 0.3, 2.0};
  const HessianVectorProduct h = hvp(relu_sum, xs, std::vector<double>{1, 1, 1, 1});
  CHECK(h.value == doctest::Approx(2.3));
  CHECK(h.gradient == std::vector<double>{0, 0, 1, 1});
  CHECK(h.hvp == std::vector<double>{0, 0, 0, 0});

  // gelu(x) = x Phi(x): values, and its elementwise node (first and second derivatives) against
  // finite differences, on a vector and on a matrix.
  CHECK(nn::gelu(0.0) == 0.0);
  CHECK(nn::gelu(1.0) == doctest::Approx(0.8413447460685429));
  CHECK(nn::gelu(-2.0) == doctest::Approx(-2.0 * 0.022750131948179195));
  const std::vector<double> x{-3.0, -1.0, -0.1, 0.4, 1.7, 5.0};
  auto g_vec = [](const auto& xv) {
    using T = typename std::remove_cvref_t<decltype(xv)>::value_type;
    const auto y = nn::gelu(xv);
    T s = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) s += (1.0 + static_cast<double>(i)) * y[i] * y[i];
    return s;
  };
  DerivativeCheck c = check_derivatives(g_vec, x);
  CHECK_MESSAGE(c.ok, c.report());
  auto g_mat = [](const auto& xv) {
    using T = typename std::remove_cvref_t<decltype(xv)>::value_type;
    Matrix<T> m(2, 3);
    for (std::size_t k = 0; k < 6; ++k) m.data()[k] = xv[k];
    const Matrix<T> y = nn::gelu(m);
    T s = 0.0;
    for (std::size_t k = 0; k < 6; ++k) s += y.data()[k] * xv[(k + 1) % 6];
    return s;
  };
  c = check_derivatives(g_mat, x);
  CHECK_MESSAGE(c.ok, c.report());
  // The elementwise node against the scalar formula, value by value.
  const Vector<double> xv(std::span<const double>(x.data(), x.size()));
  const Vector<double> gv = nn::gelu(xv);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(gv[i] == doctest::Approx(scalar_activation(Activation::gelu, x[i])));
  // The analytic second derivative phi(x)(2 - x^2) against the tape's Hessian.
  for (double x1 : {-2.5, -0.3, 0.0, 0.8, 3.1}) {
    auto f = [](const auto& v) { return nn::gelu(v)[0]; };
    const ValueGradientHessian H = hessian(f, std::vector<double>{x1});
    const double phi = std::exp(-0.5 * x1 * x1) / std::sqrt(2.0 * std::numbers::pi);
    CHECK(H.gradient[0] == doctest::Approx(0.5 * std::erfc(-x1 / std::sqrt(2.0)) + x1 * phi).epsilon(1e-13));
    CHECK(H.hessian(0, 0) == doctest::Approx(phi * (2.0 - x1 * x1)).epsilon(1e-13));
  }

  // softplus, sigmoid, tanh on a matrix of Vars: one node each.
  NestedScope scope;
  Matrix<Var> m(2, 2);
  for (std::size_t k = 0; k < 4; ++k) m.data()[k] = Var::independent(0.5 * static_cast<double>(k) - 1.0);
  const std::size_t before = tape().statements();
  const Matrix<Var> a = nn::softplus(m), b = nn::sigmoid(m), t = nn::tanh(m), r = nn::relu(m), g = nn::gelu(m);
  CHECK(tape().statements() - before == 5);
  for (std::size_t k = 0; k < 4; ++k) {
    const double xk = m.data()[k].value();
    CHECK(a.data()[k].value() == doctest::Approx(std::log1p(std::exp(xk))));
    CHECK(b.data()[k].value() == doctest::Approx(1.0 / (1.0 + std::exp(-xk))));
    CHECK(t.data()[k].value() == doctest::Approx(std::tanh(xk)));
    CHECK(r.data()[k].value() == doctest::Approx(std::fmax(xk, 0.0)));
    CHECK(g.data()[k].value() == doctest::Approx(scalar_activation(Activation::gelu, xk)));
  }
  CHECK(nn::activation_from_string("gelu") == Activation::gelu);
  CHECK_THROWS_AS(nn::activation_from_string("swish"), tapir::domain_error);
}

TEST_CASE("a layer is two tape nodes, a network three per layer") {
  std::mt19937_64 rng(16);
  MLP net({5, 7, 7, 3}, Activation::tanh, Activation::identity);
  const std::vector<double> theta = normals(rng, net.num_parameters());
  const Matrix<double> x = random_matrix(rng, 10, 5);
  NestedScope scope;
  std::vector<Var> tv(theta.size());
  for (std::size_t i = 0; i < theta.size(); ++i) tv[i] = Var::independent(theta[i]);
  const std::size_t before = tape().statements();
  (void)net.forward(tv, x);
  // 3 layers x (product + bias) + 2 hidden activations (the identity output records nothing).
  CHECK(tape().statements() - before == 8);
}

namespace {

struct Moments {
  double mean = 0, var = 0, m4 = 0;
};
Moments moments(std::span<const double> w) {
  Moments m;
  const double n = static_cast<double>(w.size());
  for (double e : w) m.mean += e;
  m.mean /= n;
  for (double e : w) {
    m.var += e * e;
    m.m4 += e * e * e * e;
  }
  m.var /= n;  // about the known mean 0
  m.m4 /= n;
  return m;
}

// Checks sample mean, variance and fourth moment of n weights against a distribution with mean 0,
// variance s2 and fourth moment k4 s2^2 (3 for the normal, 9/5 for the uniform), within 5 standard
// errors (the CLT, with the exact variances of the estimators: Var(w^2) = (k4 - 1) s2^2 and
// Var(w^4) = (k8 - k4^2) s2^4, k8 = 105 for the normal, 81/9 = 9 for the uniform).
void check_moments(std::span<const double> w, double s2, double k4, double k8) {
  const double n = static_cast<double>(w.size());
  const Moments m = moments(w);
  CHECK(std::abs(m.mean) < 5.0 * std::sqrt(s2 / n));
  CHECK(std::abs(m.var - s2) < 5.0 * std::sqrt((k4 - 1.0) * s2 * s2 / n));
  CHECK(std::abs(m.m4 - k4 * s2 * s2) < 5.0 * std::sqrt((k8 - k4 * k4) * s2 * s2 * s2 * s2 / n));
}

}  // namespace

TEST_CASE("initializer moments") {
  const std::size_t in = 300, out = 200;
  Linear layer(in, out);
  const std::size_t nw = layer.num_weights();
  std::vector<double> p(layer.num_parameters());

  SUBCASE("Glorot uniform: U(-a, a), a = sqrt(6 / (in + out))") {
    dist::Generator g(dist::make_key(1));
    layer.initialize(g, std::span<double>(p), Init::glorot_uniform);
    const double a = std::sqrt(6.0 / (in + out));
    for (std::size_t k = 0; k < nw; ++k) REQUIRE(std::abs(p[k]) <= a);
    // Uniform: variance a^2 / 3 = 2 / (in + out), E w^4 = a^4 / 5 = (9/5) s2^2, E w^8 = a^8 / 9 = 9 s2^4.
    check_moments(std::span<const double>(p.data(), nw), 2.0 / (in + out), 9.0 / 5.0, 9.0);
  }
  SUBCASE("He normal: N(0, 2 / in)") {
    dist::Generator g(dist::make_key(2));
    layer.initialize(g, std::span<double>(p), Init::he_normal);
    check_moments(std::span<const double>(p.data(), nw), 2.0 / in, 3.0, 105.0);
  }
  SUBCASE("LeCun normal: N(0, 1 / in)") {
    dist::Generator g(dist::make_key(3));
    layer.initialize(g, std::span<double>(p), Init::lecun_normal);
    check_moments(std::span<const double>(p.data(), nw), 1.0 / in, 3.0, 105.0);
  }
  SUBCASE("gain scales the standard deviation") {
    dist::Generator g(dist::make_key(4));
    layer.initialize(g, std::span<double>(p), Init::lecun_normal, 0.5);
    check_moments(std::span<const double>(p.data(), nw), 0.25 / in, 3.0, 105.0);
  }
  SUBCASE("zeros") {
    dist::Generator g(dist::make_key(5));
    layer.initialize(g, std::span<double>(p), Init::zeros);
    for (double e : p) REQUIRE(e == 0.0);
  }
  // Biases are always 0.
  for (std::size_t j = nw; j < p.size(); ++j) REQUIRE(p[j] == 0.0);
}

TEST_CASE("MLP initialization: per-layer fans, deterministic in the key") {
  MLP net({400, 100, 50}, Activation::relu);
  const std::vector<double> a = net.initialize(dist::make_key(9), Init::he_normal);
  const std::vector<double> b = net.initialize(dist::make_key(9), Init::he_normal);
  const std::vector<double> c = net.initialize(dist::make_key(10), Init::he_normal);
  CHECK(a == b);
  CHECK(a != c);
  // Layer 0: N(0, 2/400) over 40000 weights; layer 1: N(0, 2/100) over 5000 weights.
  check_moments(std::span<const double>(a.data(), 40000), 2.0 / 400, 3.0, 105.0);
  check_moments(std::span<const double>(a.data() + net.parameter_offset(1), 5000), 2.0 / 100, 3.0, 105.0);
  for (std::size_t j = 40000; j < 40100; ++j) CHECK(a[j] == 0.0);
  // output_gain scales only the last layer.
  const std::vector<double> d = net.initialize(dist::make_key(9), Init::he_normal, 0.1);
  CHECK(d[17] == a[17]);
  const std::size_t k = net.parameter_offset(1) + 3;
  CHECK(d[k] == doctest::Approx(0.1 * a[k]));
}

TEST_CASE("masked layers: removed connections have no effect") {
  std::mt19937_64 rng(17);
  // Lower-triangular connectivity: output j sees inputs i <= j.
  std::vector<std::uint8_t> mask(4 * 4);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) mask[i * 4 + j] = i <= j;
  MLP net(std::vector<Linear>{Linear(4, 4, mask), Linear(4, 4, mask)}, Activation::tanh);
  CHECK(net.num_parameters() == 2 * (10 + 4));
  const std::vector<double> theta = normals(rng, net.num_parameters());
  auto f = [&](const auto& xv) { return net.forward(std::span<const double>(theta), xv); };
  const ValueAndJacobian J = jacobian(f, normals(rng, 4));
  for (std::size_t j = 0; j < 4; ++j)
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > j) CHECK(J.jacobian(j, i) == 0.0);
      else CHECK(J.jacobian(j, i) != 0.0);
    }
  // Derivatives in the parameters of a masked network.
  SquaredLoss loss{&net, random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)};
  DerivativeCheckOptions opt;
  for (int k = 0; k < 3; ++k) opt.directions.push_back(unit_direction(rng, theta.size()));
  const DerivativeCheck c = check_derivatives(loss, theta, opt);
  CHECK_MESSAGE(c.ok, c.report());
}

TEST_CASE("a layer with no inputs is its bias") {
  MLP net({0, 3, 2}, Activation::tanh);
  CHECK(net.num_parameters() == 3 + (3 * 2 + 2));
  std::mt19937_64 rng(18);
  const std::vector<double> theta = normals(rng, net.num_parameters());
  const Matrix<double> y = net.forward(theta, Matrix<double>(2, 0));
  const std::vector<double> ref = reference_forward({0, 3, 2}, Activation::tanh, Activation::identity, theta, {});
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t j = 0; j < 2; ++j) CHECK(y(r, j) == doctest::Approx(ref[j]));
}
