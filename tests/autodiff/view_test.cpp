// Strided views: which entries they see, writes through them, their errors, and derivatives of
// functions that read their Var and Dual arguments through views.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/derivative_check.hpp"
#include "autodiff/functional.hpp"
#include "autodiff/view.hpp"

using namespace tapir::autodiff;

namespace {

// m(i, j) = 10 i + j: every entry names its own position.
Matrix<double> positions(std::size_t r, std::size_t c) {
  Matrix<double> m(r, c);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) m(i, j) = 10.0 * static_cast<double>(i) + static_cast<double>(j);
  return m;
}

template <class V>
std::vector<double> values(const V& v) {
  std::vector<double> out;
  for (const auto& e : v) out.push_back(value_of(e));
  return out;
}

// The message of the E that f throws, or "" when it throws nothing.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

template <class M>
concept row_viewable = requires(M&& m) { row_view(std::forward<M>(m), 0); };
template <class V>
concept segment_viewable = requires(V&& v) { segment_view(std::forward<V>(v), 0, 1); };

static_assert(std::random_access_iterator<VectorView<double>::iterator>);
static_assert(std::random_access_iterator<VectorView<const Var>::iterator>);
static_assert(std::is_same_v<decltype(row_view(std::declval<const Matrix<double>&>(), 0)), VectorView<const double>>);
static_assert(std::is_same_v<decltype(col_view(std::declval<Matrix<Var>&>(), 0)), VectorView<Var>>);
static_assert(std::is_same_v<decltype(block_view(std::declval<const Matrix<Var>&>(), 0, 0, 1, 1)),
                             MatrixView<const Var>>);
// Read-only views cannot be written; views of temporaries are refused (they would dangle).
static_assert(!std::is_assignable_v<VectorView<const double>&, const Vector<double>&>);
static_assert(!std::is_assignable_v<MatrixView<const double>&, const Matrix<double>&>);
static_assert(std::is_assignable_v<VectorView<double>&, const Vector<double>&>);
static_assert(std::is_assignable_v<VectorView<Var>&, const Vector<double>&>);
static_assert(std::is_convertible_v<VectorView<double>, VectorView<const double>>);
static_assert(!std::is_convertible_v<VectorView<const double>, VectorView<double>>);
static_assert(row_viewable<Matrix<double>&> && row_viewable<const Matrix<double>&>);
static_assert(!row_viewable<Matrix<double>> && !segment_viewable<Vector<double>>);
static_assert(segment_viewable<Vector<double>&>);

}  // namespace

TEST_CASE("views of a double matrix see the right entries with the right strides") {
  Matrix<double> m = positions(3, 4);
  const Matrix<double>& cm = m;

  const VectorView<double> r = row_view(m, 1);
  CHECK(r.size() == 4);
  CHECK(r.stride() == 1);
  CHECK(values(r) == std::vector<double>{10, 11, 12, 13});

  const VectorView<const double> c = col_view(cm, 2);
  CHECK(c.size() == 3);
  CHECK(c.stride() == 4);
  CHECK(values(c) == std::vector<double>{2, 12, 22});
  CHECK(c.at(2) == 22);

  const VectorView<double> d = diagonal_view(m);
  CHECK(d.stride() == 5);
  CHECK(values(d) == std::vector<double>{0, 11, 22});

  const MatrixView<const double> b = block_view(cm, 1, 1, 2, 3);
  CHECK(b.rows() == 2);
  CHECK(b.cols() == 3);
  CHECK(b.row_stride() == 4);
  CHECK_FALSE(b.contiguous());
  CHECK(b(0, 0) == 11);
  CHECK(b(1, 2) == 23);
  CHECK(b.at(1, 1) == 22);
  // Views of views compose their offsets and strides.
  CHECK(values(col_view(b, 1)) == std::vector<double>{12, 22});
  CHECK(values(row_view(b, 1)) == std::vector<double>{21, 22, 23});
  CHECK(values(diagonal_view(b)) == std::vector<double>{11, 22});
  CHECK(values(segment_view(col_view(m, 3), 1, 2)) == std::vector<double>{13, 23});
  const MatrixView<const double> bb = block_view(b, 1, 1, 1, 2);
  CHECK(bb(0, 0) == 22);
  CHECK(bb(0, 1) == 23);

  // Iteration: standard algorithms over a strided column.
  CHECK(std::accumulate(c.begin(), c.end(), 0.0) == 36.0);
  CHECK(*std::max_element(c.begin(), c.end()) == 22.0);
  CHECK(c.end() - c.begin() == 3);
  CHECK(c.begin()[1] == 12.0);
  CHECK(*(c.end() - 1) == 22.0);

  // Owning copies are independent of the parent.
  Vector<double> cv = to_vector(c);
  Matrix<double> bm = to_matrix(b);
  m(0, 2) = -1.0;
  m(1, 1) = -1.0;
  CHECK(cv[0] == 2.0);
  CHECK(bm(0, 0) == 11.0);
  CHECK(bm.rows() == 2);
  CHECK(bm.cols() == 3);
  CHECK(c[0] == -1.0);  // ... whereas the view sees the change
  CHECK(rows(b) == 2);
  CHECK(cols(b) == 3);
  CHECK(rows(c) == 3);
  CHECK(cols(c) == 1);

  // Whole-object views and the explicit conversions.
  Vector<double> v{1.0, 2.0, 3.0};
  CHECK(view(v).data() == v.data());
  CHECK(view(m).contiguous());
  CHECK(static_cast<Vector<double>>(segment_view(v, 1, 2))[1] == 3.0);
  CHECK(static_cast<Matrix<double>>(block_view(m, 2, 3, 1, 1))(0, 0) == 23.0);
  CHECK(&to_vector(v) == &v);  // identity on an owning vector: no copy
}

TEST_CASE("empty views are valid at every edge") {
  Matrix<double> m = positions(3, 4);
  CHECK(block_view(m, 3, 4, 0, 0).empty());
  CHECK(block_view(m, 0, 4, 3, 0).size() == 0);
  Vector<double> v{1.0, 2.0};
  CHECK(segment_view(v, 2, 0).empty());
  Matrix<double> no_rows(0, 3);
  CHECK(col_view(no_rows, 2).empty());
  CHECK(diagonal_view(no_rows).empty());
  CHECK(sum(col_view(no_rows, 1)) == 0.0);
  CHECK(dot(segment_view(v, 2, 0), segment_view(v, 0, 0)) == 0.0);
  const VectorView<double> e;
  CHECK(e.begin() == e.end());
}

TEST_CASE("writes through views modify the parent, and only the viewed entries") {
  Matrix<double> m = positions(3, 4);
  row_view(m, 0) = Vector<double>{-1.0, -2.0, -3.0, -4.0};
  CHECK(m(0, 0) == -1.0);
  CHECK(m(0, 3) == -4.0);
  CHECK(m(1, 0) == 10.0);

  col_view(m, 1).fill(7.0);
  CHECK(m(0, 1) == 7.0);
  CHECK(m(2, 1) == 7.0);
  CHECK(m(2, 0) == 20.0);

  diagonal_view(m) = Vector<double>{100.0, 111.0, 122.0};
  CHECK(m(0, 0) == 100.0);
  CHECK(m(1, 1) == 111.0);
  CHECK(m(2, 2) == 122.0);
  CHECK(m(0, 1) == 7.0);

  Matrix<double> two(2, 2, 5.0);
  block_view(m, 1, 2, 2, 2) = two;
  CHECK(m(1, 2) == 5.0);
  CHECK(m(2, 3) == 5.0);
  CHECK(m(1, 1) == 111.0);
  CHECK(m(0, 2) == -3.0);

  // One view's entries into another's: a column into a row.
  Matrix<double> sq = positions(3, 3);
  row_view(sq, 0) = col_view(sq, 2);  // (2, 12, 22); sq(0, 2) is read before it is written
  CHECK(values(row_view(sq, 0)) == std::vector<double>{2, 12, 22});

  // A copy of a view is another view of the same entries; elements write through too.
  VectorView<double> a = col_view(m, 0);
  VectorView<double> a2 = a;
  a2[2] = -9.0;
  CHECK(m(2, 0) == -9.0);
  *std::next(a.begin()) = -8.0;
  CHECK(m(1, 0) == -8.0);

  // Sorting a column in place through its iterators.
  Matrix<double> s(4, 2, 0.0);
  const std::vector<double> unsorted{3.0, -1.0, 2.0, 0.5};
  for (std::size_t i = 0; i < 4; ++i) s(i, 1) = unsorted[i];
  const VectorView<double> sc = col_view(s, 1);
  std::sort(sc.begin(), sc.end());
  CHECK(values(sc) == std::vector<double>{-1.0, 0.5, 2.0, 3.0});
  CHECK(s(0, 0) == 0.0);

  // A read-only view of a writable one sees later writes.
  const VectorView<const double> ro = sc;
  sc[0] = 42.0;
  CHECK(ro[0] == 42.0);
}

TEST_CASE("assignment between overlapping views copies as if through a temporary") {
  Vector<double> v{1.0, 2.0, 3.0, 4.0, 5.0};
  segment_view(v, 1, 4) = segment_view(v, 0, 4);
  CHECK(values(v) == std::vector<double>{1, 1, 2, 3, 4});
  Vector<double> w{1.0, 2.0, 3.0, 4.0, 5.0};
  segment_view(w, 0, 4) = segment_view(w, 1, 4);
  CHECK(values(w) == std::vector<double>{2, 3, 4, 5, 5});
  Vector<double> u{1.0, 2.0, 3.0};
  view(u) = view(u);  // self-assignment leaves the entries alone
  CHECK(values(u) == std::vector<double>{1, 2, 3});

  Matrix<double> m = positions(3, 3);
  block_view(m, 1, 1, 2, 2) = block_view(m, 0, 0, 2, 2);
  CHECK(m(1, 1) == 0.0);
  CHECK(m(1, 2) == 1.0);
  CHECK(m(2, 1) == 10.0);
  CHECK(m(2, 2) == 11.0);
  CHECK(m(0, 0) == 0.0);
}

TEST_CASE("bounds and size errors name the function, the index and the extent") {
  Matrix<double> m = positions(3, 4);
  Vector<double> v(4, 1.0);

  CHECK_THROWS_AS(row_view(m, 3), std::out_of_range);
  CHECK_THROWS_AS(col_view(m, 4), std::out_of_range);
  CHECK_THROWS_AS(block_view(m, 2, 0, 2, 1), std::out_of_range);
  CHECK_THROWS_AS(block_view(m, 0, 3, 1, 2), std::out_of_range);
  CHECK_THROWS_AS(segment_view(v, 3, 2), std::out_of_range);
  CHECK_THROWS_AS(segment_view(v, 5, 0), std::out_of_range);
  CHECK_THROWS_AS(row_view(m, 0).at(4), std::out_of_range);
  CHECK_THROWS_AS(view(m).at(0, 4), std::out_of_range);
  CHECK_NOTHROW(row_view(m, 2));
  CHECK_NOTHROW(segment_view(v, 2, 2));

  const std::string r = message_of<std::out_of_range>([&] { row_view(m, 3); });
  CHECK(contains(r, "row_view"));
  CHECK(contains(r, "row 3"));
  CHECK(contains(r, "size 3"));
  const std::string c = message_of<std::out_of_range>([&] { col_view(std::as_const(m), 7); });
  CHECK(contains(c, "col_view"));
  CHECK(contains(c, "column 7"));
  const std::string b = message_of<std::out_of_range>([&] { block_view(m, 2, 1, 2, 2); });
  CHECK(contains(b, "block_view"));
  CHECK(contains(b, "2x2 block at (2, 1)"));
  CHECK(contains(b, "3x4 matrix"));
  const std::string s = message_of<std::out_of_range>([&] { segment_view(v, 3, 2); });
  CHECK(contains(s, "segment_view"));
  CHECK(contains(s, "index 3"));

  // Sizes that do not fit: tapir::size_error (a std::invalid_argument).
  CHECK_THROWS_AS(row_view(m, 0) = Vector<double>(3, 0.0), tapir::size_error);
  CHECK_THROWS_AS(row_view(m, 0) = col_view(m, 0), tapir::size_error);
  CHECK_THROWS_AS(block_view(m, 0, 0, 2, 2) = Matrix<double>(2, 3), tapir::size_error);
  CHECK_THROWS_AS(dot(row_view(m, 0), col_view(m, 0)), std::invalid_argument);
  CHECK_THROWS_AS(dot(col_view(m, 0), v), tapir::size_error);
  const std::string a = message_of<tapir::size_error>([&] { row_view(m, 1) = Vector<double>(3, 0.0); });
  CHECK(contains(a, "size 4"));
  CHECK(contains(a, "size 3"));
  CHECK(m(1, 0) == 10.0);  // a failed assignment writes nothing
}

TEST_CASE("sum, dot and squared_norm on double views equal the owning-vector results") {
  std::mt19937 rng(20260611);
  std::normal_distribution<double> normal(0.0, 1.0);
  Matrix<double> m(5, 5);
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 5; ++j) m(i, j) = normal(rng);
  const Matrix<double>& cm = m;
  Vector<double> w(5);
  for (double& e : w) e = normal(rng);

  for (std::size_t j = 0; j < 5; ++j) {
    const VectorView<const double> c = col_view(cm, j), r = row_view(cm, j);
    double s = 0.0, q = 0.0, d = 0.0, dw = 0.0;
    for (std::size_t i = 0; i < 5; ++i) {
      s += m(i, j);
      q += m(i, j) * m(i, j);
      d += m(i, j) * m(j, i);
      dw += m(i, j) * w[i];
    }
    CHECK(sum(c) == s);
    CHECK(sum(c) == sum(to_vector(c)));
    CHECK(squared_norm(c) == q);
    CHECK(dot(c, r) == d);
    CHECK(dot(c, w) == dw);
    CHECK(dot(w, c) == dw);
  }
  double tr = 0.0, blk = 0.0;
  for (std::size_t i = 0; i < 5; ++i) tr += m(i, i);
  for (std::size_t i = 1; i < 4; ++i)
    for (std::size_t j = 2; j < 5; ++j) blk += m(i, j);
  CHECK(sum(diagonal_view(cm)) == tr);
  CHECK(sum(block_view(cm, 1, 2, 3, 3)) == doctest::Approx(blk).epsilon(1e-15));
  CHECK(sum(block_view(cm, 1, 0, 3, 5)) == sum(to_matrix(block_view(cm, 1, 0, 3, 5))));  // contiguous rows
  CHECK(sum(view(cm)) == sum(m));
}

namespace {

// A templated model that reads parameters only through views of a Matrix<T>: B is 3 x 2, filled
// through row views of the input vector; the data X (4 x 3) and targets Y (4 x 2) are doubles.
struct ViewModel {
  Matrix<double> X, Y;
  Vector<double> w;

  template <class T>
  T operator()(const Vector<T>& x) const {
    Matrix<T> B(3, 2);
    for (std::size_t k = 0; k < 3; ++k) row_view(B, k) = segment_view(x, 2 * k, 2);
    const Matrix<T>& cB = B;
    T lp = 0.0;
    for (std::size_t i = 0; i < X.rows(); ++i)
      for (std::size_t k = 0; k < 2; ++k) {
        const T r = Y(i, k) - dot(row_view(X, i), col_view(cB, k));
        lp -= 0.5 * r * r;
      }
    return lp - 0.5 * squared_norm(col_view(cB, 1)) + dot(w, col_view(cB, 0)) + sum(diagonal_view(cB)) +
           sum(block_view(cB, 1, 0, 2, 2)) * dot(col_view(cB, 0), col_view(cB, 1));
  }
};

// The same model with explicit loops and no views.
struct LoopModel {
  const ViewModel& m;
  template <class T>
  T operator()(const Vector<T>& x) const {
    auto b = [&](std::size_t k, std::size_t j) -> const T& { return x[2 * k + j]; };
    T lp = 0.0;
    for (std::size_t i = 0; i < m.X.rows(); ++i)
      for (std::size_t k = 0; k < 2; ++k) {
        T xb = 0.0;
        for (std::size_t j = 0; j < 3; ++j) xb += m.X(i, j) * b(j, k);
        const T r = m.Y(i, k) - xb;
        lp -= 0.5 * r * r;
      }
    T q = 0.0, wb = 0.0, blk = 0.0, c01 = 0.0;
    for (std::size_t j = 0; j < 3; ++j) {
      q += b(j, 1) * b(j, 1);
      wb += m.w[j] * b(j, 0);
      c01 += b(j, 0) * b(j, 1);
    }
    for (std::size_t k = 1; k < 3; ++k) blk += b(k, 0) + b(k, 1);
    return lp - 0.5 * q + wb + (b(0, 0) + b(1, 1)) + blk * c01;
  }
};

ViewModel make_model() {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  ViewModel m{Matrix<double>(4, 3), Matrix<double>(4, 2), Vector<double>(3)};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 3; ++j) m.X(i, j) = normal(rng);
    for (std::size_t k = 0; k < 2; ++k) m.Y(i, k) = normal(rng);
  }
  for (double& e : m.w) e = normal(rng);
  return m;
}

}  // namespace

TEST_CASE("gradients and Hessians through Var views: closed forms") {
  // f = sum(col 1) + |row 2|^2 + w . diag + sum(block) + col 0 . col 3 over a 3 x 4 matrix of x.
  const Vector<double> w{0.5, -1.5, 2.0};
  auto f = [&](const auto& x) {
    using T = typename std::remove_cvref_t<decltype(x)>::value_type;
    Matrix<T> X(3, 4);
    for (std::size_t i = 0; i < 12; ++i) X.data()[i] = x[i];
    const Matrix<T>& cX = X;
    return sum(col_view(cX, 1)) + squared_norm(row_view(cX, 2)) + dot(diagonal_view(cX), w) +
           sum(block_view(cX, 0, 1, 2, 2)) + dot(col_view(cX, 0), col_view(cX, 3));
  };
  std::vector<double> x0(12);
  for (std::size_t k = 0; k < 12; ++k) x0[k] = 0.1 * static_cast<double>(k) - 0.45;
  auto at = [](std::size_t i, std::size_t j) { return 4 * i + j; };

  std::vector<double> g(12, 0.0);
  Matrix<double> h(12, 12, 0.0);
  for (std::size_t i = 0; i < 3; ++i) {
    g[at(i, 1)] += 1.0;
    g[at(i, i)] += w[i];
    g[at(i, 0)] += x0[at(i, 3)];
    g[at(i, 3)] += x0[at(i, 0)];
    h(at(i, 0), at(i, 3)) = h(at(i, 3), at(i, 0)) = 1.0;
  }
  for (std::size_t j = 0; j < 4; ++j) {
    g[at(2, j)] += 2.0 * x0[at(2, j)];
    h(at(2, j), at(2, j)) = 2.0;
  }
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 1; j < 3; ++j) g[at(i, j)] += 1.0;

  const ValueGradientHessian r = hessian(f, x0);
  CHECK(r.value == doctest::Approx(f(Vector<double>(x0))).epsilon(1e-14));
  for (std::size_t a = 0; a < 12; ++a) {
    CHECK(r.gradient[a] == doctest::Approx(g[a]).epsilon(1e-14));
    for (std::size_t b = 0; b < 12; ++b) CHECK(r.hessian(a, b) == doctest::Approx(h(a, b)).epsilon(1e-14));
  }

  // H v from one recording agrees with the closed-form Hessian.
  std::vector<double> v(12);
  for (std::size_t k = 0; k < 12; ++k) v[k] = std::cos(static_cast<double>(k));
  const HessianVectorProduct p = hvp(f, x0, v);
  for (std::size_t a = 0; a < 12; ++a) {
    double hv = 0.0;
    for (std::size_t b = 0; b < 12; ++b) hv += h(a, b) * v[b];
    CHECK(p.hvp[a] == doctest::Approx(hv).epsilon(1e-13));
    CHECK(p.gradient[a] == doctest::Approx(g[a]).epsilon(1e-14));
  }
}

TEST_CASE("a templated model using views: same derivatives as loops, and finite differences agree") {
  const ViewModel model = make_model();
  const LoopModel loops{model};
  std::vector<double> x(6), v(6);
  std::mt19937 rng(99);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (double& e : x) e = normal(rng);
  for (double& e : v) e = normal(rng);

  const HessianVectorProduct a = hvp(model, x, v);
  const HessianVectorProduct b = hvp(loops, x, v);
  CHECK(a.value == doctest::Approx(b.value).epsilon(1e-13));
  CHECK(a.value == doctest::Approx(model(Vector<double>(x))).epsilon(1e-13));
  for (std::size_t k = 0; k < 6; ++k) {
    CHECK(a.gradient[k] == doctest::Approx(b.gradient[k]).epsilon(1e-12));
    CHECK(a.hvp[k] == doctest::Approx(b.hvp[k]).epsilon(1e-12));
  }

  const DerivativeCheck c = check_derivatives(model, x);
  CHECK_MESSAGE(c.ok, c.report());

  // Forward mode through the same views.
  const ValueAndDerivative d = directional_derivative(model, x, v);
  double gv = 0.0;
  for (std::size_t k = 0; k < 6; ++k) gv += a.gradient[k] * v[k];
  CHECK(d.value == doctest::Approx(a.value).epsilon(1e-13));
  CHECK(d.derivative == doctest::Approx(gv).epsilon(1e-12));
}

TEST_CASE("Var views: data and Var operands mixed, writes of Vars into a Var matrix") {
  // f = dot(data column, x segment) + dot(x segment (stride 2), data vector) + sum(x at stride 3).
  Matrix<double> D = positions(3, 3);
  const Vector<double> u{1.0, -2.0, 0.25};
  auto f = [&](const auto& x) {
    using T = typename std::remove_cvref_t<decltype(x)>::value_type;
    const VectorView<const T> every_other(x.data(), 3, 2);
    const VectorView<const T> every_third(x.data(), 2, 3);
    return dot(col_view(std::as_const(D), 1), segment_view(x, 3, 3)) + dot(every_other, u) + sum(every_third);
  };
  const std::vector<double> x0{0.3, -0.7, 1.1, 2.0, -0.2, 0.9};
  const ValueAndGradient r = value_and_gradient(f, x0);
  const std::vector<double> g{1.0 + 1.0, 0.0, -2.0, 1.0 + 1.0, 11.0 + 0.25, 21.0};
  for (std::size_t k = 0; k < 6; ++k) CHECK(r.gradient[k] == doctest::Approx(g[k]));
  CHECK(r.value == doctest::Approx(1 * 2.0 + 11 * -0.2 + 21 * 0.9 + 0.3 - 2.0 * 1.1 + 0.25 * -0.2 + 0.3 + 2.0));

  // Writing doubles and Vars into a Var matrix through views: the written doubles are constants.
  auto g2 = [](const auto& x) {
    using T = typename std::remove_cvref_t<decltype(x)>::value_type;
    Matrix<T> M(2, 2);
    row_view(M, 0) = Vector<double>{3.0, 4.0};
    row_view(M, 1) = x;
    col_view(M, 0) = col_view(M, 1);  // M = [[4, 4], [x1, x1]]
    return squared_norm(col_view(M, 0)) + sum(row_view(M, 1)) * x[0];
  };
  const ValueAndGradient q = value_and_gradient(g2, std::vector<double>{0.5, 1.5});
  CHECK(q.value == doctest::Approx(16.0 + 1.5 * 1.5 + 3.0 * 0.5));
  CHECK(q.gradient[0] == doctest::Approx(3.0));
  CHECK(q.gradient[1] == doctest::Approx(2.0 * 1.5 + 2.0 * 0.5));
}

TEST_CASE("views of Dual: tangents flow through strided reads and writes") {
  using D = Dual<double>;
  Matrix<D> m(3, 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      m(i, j) = D(static_cast<double>(i + 2 * j), static_cast<double>(i == j));  // tangent: identity
  const Matrix<D>& cm = m;
  const D tr = sum(diagonal_view(cm));
  CHECK(tr.val == 0.0 + 3.0 + 6.0);
  CHECK(tr.tan == 3.0);
  const D q = squared_norm(col_view(cm, 2));  // (4, 5, 6), tangent (0, 0, 1)
  CHECK(q.val == 16.0 + 25.0 + 36.0);
  CHECK(q.tan == 2.0 * 6.0);
  const D d = dot(row_view(cm, 1), col_view(cm, 1));  // (1, 3, 5) . (2, 3, 4), tangents e1 . e1
  CHECK(d.val == 2.0 + 9.0 + 20.0);
  CHECK(d.tan == 3.0 + 3.0);
  const Vector<double> w{1.0, 10.0, 100.0};
  const D dw = dot(w, diagonal_view(cm));
  CHECK(dw.val == 0.0 + 30.0 + 600.0);
  CHECK(dw.tan == 111.0);
  const D b = sum(block_view(cm, 1, 1, 2, 2));
  CHECK(b.val == 3.0 + 5.0 + 4.0 + 6.0);
  CHECK(b.tan == 2.0);

  block_view(m, 0, 0, 2, 2).fill(D(1.0, -1.0));
  CHECK(m(1, 1).tan == -1.0);
  CHECK(m(2, 2).tan == 1.0);
  CHECK(sum(diagonal_view(m)).tan == -1.0 - 1.0 + 1.0);
}
