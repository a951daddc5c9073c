#pragma once
// Non-owning, strided views of the entries of a Vector or Matrix, for any scalar:
//
//   VectorView<T>   n entries p[0], p[s], p[2s], ..., p[(n-1)s]
//   MatrixView<T>   r x c entries p[i*ld + j]: each row contiguous, rows ld apart
//
// T is const-qualified for a read-only view (VectorView<const Var>). A view behaves like a
// reference: copying it gives another view of the same entries, and assigning to it writes the
// entries (never rebinds); an assignment whose sizes differ throws tapir::size_error. A view does
// not keep its storage alive, so resizing or destroying the Vector or Matrix invalidates it; the
// functions below refuse temporaries for that reason (name the intermediate result instead).
//
//   view(x)                          all of a Vector or Matrix
//   segment_view(v, start, n)        v[start], ..., v[start + n - 1]
//   row_view(m, i), col_view(m, j)   a row (stride 1), a column (stride = the row stride)
//   block_view(m, r0, c0, nr, nc)    the nr x nc block whose top-left entry is (r0, c0)
//   diagonal_view(m)                 the main diagonal (stride = row stride + 1)
//   to_vector(v), to_matrix(m)       owning copies
//
// Each takes a Vector/Matrix or a view; a non-const Vector/Matrix gives a writable view, a const
// one a read-only view. Indices out of range throw std::out_of_range naming the function, the
// index and the extent (as row/col/block of matrix_ops.hpp do).
//
// sum, dot and squared_norm work on views directly. With Var they record the same single node as
// on a Vector<Var>, naming the strided slots (VarRef gathers them), so a view costs the tape
// nothing. Every other operation takes an owning Vector/Matrix: call it on to_vector(view). For
// Var that copy is free of tape cost too (a Var is a value and a slot), so
// exp(to_vector(col_view(X, j))) records exactly what exp of a Vector<Var> records.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "autodiff/reductions.hpp"
#include "autodiff/traits.hpp"
#include "autodiff/vector.hpp"
#include "autodiff/vector_node.hpp"

namespace tapir::autodiff {

template <class T>
class VectorView;
template <class T>
class MatrixView;

namespace view_detail {

// Holds a base pointer and an index rather than a moving pointer: the end of a column view
// would otherwise point beyond one-past-the-end of the matrix, which is undefined to form.
template <class T>
class StridedIterator {
 public:
  using iterator_concept = std::random_access_iterator_tag;
  using iterator_category = std::random_access_iterator_tag;
  using value_type = std::remove_cv_t<T>;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using pointer = T*;

  StridedIterator() = default;
  StridedIterator(T* base, std::size_t stride, difference_type i) noexcept : base_(base), stride_(stride), i_(i) {}

  T& operator*() const noexcept { return base_[static_cast<std::size_t>(i_) * stride_]; }
  T* operator->() const noexcept { return &**this; }
  T& operator[](difference_type k) const noexcept { return *(*this + k); }

  StridedIterator& operator++() noexcept { ++i_; return *this; }
  StridedIterator operator++(int) noexcept { StridedIterator r = *this; ++i_; return r; }
  StridedIterator& operator--() noexcept { --i_; return *this; }
  StridedIterator operator--(int) noexcept { StridedIterator r = *this; --i_; return r; }
  StridedIterator& operator+=(difference_type k) noexcept { i_ += k; return *this; }
  StridedIterator& operator-=(difference_type k) noexcept { i_ -= k; return *this; }
  friend StridedIterator operator+(StridedIterator it, difference_type k) noexcept { return it += k; }
  friend StridedIterator operator+(difference_type k, StridedIterator it) noexcept { return it += k; }
  friend StridedIterator operator-(StridedIterator it, difference_type k) noexcept { return it -= k; }
  friend difference_type operator-(const StridedIterator& a, const StridedIterator& b) noexcept { return a.i_ - b.i_; }
  friend bool operator==(const StridedIterator& a, const StridedIterator& b) noexcept { return a.i_ == b.i_; }
  friend auto operator<=>(const StridedIterator& a, const StridedIterator& b) noexcept { return a.i_ <=> b.i_; }

 private:
  T* base_ = nullptr;
  std::size_t stride_ = 0;
  difference_type i_ = 0;
};

// p + k, except that an empty result keeps p: the offset of an empty part may lie past the end of
// the storage (a 0 x 0 block at the far corner), and forming such a pointer is undefined.
template <class T>
T* advance(T* p, std::size_t k, bool nonempty) noexcept {
  return nonempty ? p + k : p;
}

// Whether [a_first, a_last] and [b_first, b_last] share an address. std::less gives a total order
// even on pointers into different objects, where the built-in < is unspecified.
inline bool ranges_overlap(const void* a_first, const void* a_last, const void* b_first, const void* b_last) {
  const std::less<const void*> less;
  return !(less(a_last, b_first) || less(b_last, a_first));
}

[[noreturn]] inline void throw_index(const char* fn, const char* what, std::size_t i, std::size_t n) {
  throw std::out_of_range(std::string(fn) + ": " + what + " " + std::to_string(i) + " out of range (size " +
                          std::to_string(n) + ")");
}

inline std::string shape(std::size_t r, std::size_t c) { return std::to_string(r) + "x" + std::to_string(c); }

template <class A, class B>
concept dot_compatible =
    Scalar<std::remove_cv_t<A>> && Scalar<std::remove_cv_t<B>> &&
    (std::is_same_v<std::remove_cv_t<A>, std::remove_cv_t<B>> || std::is_arithmetic_v<std::remove_cv_t<A>> ||
     std::is_arithmetic_v<std::remove_cv_t<B>>);

// One operand of a DotNode read through a stride. Data is copied into the arena because the node
// reads it again in every sweep, after the caller's matrix may be gone.
template <class T>
auto strided_operand(Tape& t, const T* x, std::size_t n, std::size_t stride) {
  if constexpr (is_var_v<T>) {
    return detail::VarVecOperand{VarRef(t, x, n, stride)};
  } else {
    double* d = t.arena().allocate_array<double>(n);
    for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<double>(x[i * stride]);
    return detail::DataVecOperand{d};
  }
}

}  // namespace view_detail

template <class T>
class VectorView {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using Scalar = value_type;
  using iterator = view_detail::StridedIterator<T>;

  VectorView() = default;
  VectorView(T* data, std::size_t size, std::size_t stride = 1) noexcept
      : data_(data), size_(size), stride_(stride) {}
  // Implicit, as std::span's: a function taking a view accepts a Vector.
  VectorView(Vector<value_type>& v) noexcept
    requires(!std::is_const_v<T>)
      : VectorView(v.data(), v.size()) {}
  VectorView(const Vector<value_type>& v) noexcept
    requires std::is_const_v<T>
      : VectorView(v.data(), v.size()) {}
  template <class U>
    requires(std::is_same_v<const U, T> && !std::is_same_v<U, T>)
  VectorView(const VectorView<U>& v) noexcept : VectorView(v.data(), v.size(), v.stride()) {}
  VectorView(const VectorView&) = default;

  // Writes through (see the top of the file); a read-only view has no assignment.
  VectorView& operator=(const VectorView& src)
    requires(!std::is_const_v<T>)
  {
    assign(src);
    return *this;
  }
  template <class U>
    requires std::is_assignable_v<T&, const U&>
  VectorView& operator=(const VectorView<U>& src) {
    assign(src);
    return *this;
  }
  template <class U>
    requires std::is_assignable_v<T&, const U&>
  VectorView& operator=(const Vector<U>& src) {
    assign(VectorView<const U>(src));
    return *this;
  }
  template <class U>
    requires std::is_assignable_v<T&, const U&>
  void fill(const U& value) const {
    for (std::size_t i = 0; i < size_; ++i) (*this)[i] = value;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t stride() const noexcept { return stride_; }
  T* data() const noexcept { return data_; }
  T& operator[](std::size_t i) const noexcept { return data_[i * stride_]; }
  T& at(std::size_t i) const {
    if (i >= size_) view_detail::throw_index("VectorView::at", "index", i, size_);
    return (*this)[i];
  }
  iterator begin() const noexcept { return iterator(data_, stride_, 0); }
  iterator end() const noexcept { return iterator(data_, stride_, static_cast<std::ptrdiff_t>(size_)); }

  Vector<value_type> to_vector() const {
    Vector<value_type> v(size_);
    for (std::size_t i = 0; i < size_; ++i) v[i] = (*this)[i];
    return v;
  }
  explicit operator Vector<value_type>() const { return to_vector(); }

 private:
  template <class U>
  void assign(const VectorView<U>& src) {
    if (src.size() != size_)
      throw size_error("VectorView assignment: destination has size " + std::to_string(size_) +
                       ", source has size " + std::to_string(src.size()));
    if (size_ == 0) return;
    if constexpr (std::is_same_v<std::remove_cv_t<U>, value_type>) {
      if (src.data() == data_ && src.stride() == stride_) return;
      // Overlapping storage (segments of one vector shifted against each other): copying element
      // by element would read entries already overwritten.
      if (view_detail::ranges_overlap(data_, &(*this)[size_ - 1], src.data(), &src[size_ - 1])) {
        const Vector<value_type> tmp = src.to_vector();
        for (std::size_t i = 0; i < size_; ++i) (*this)[i] = tmp[i];
        return;
      }
    }
    for (std::size_t i = 0; i < size_; ++i) (*this)[i] = src[i];
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t stride_ = 1;
};

template <class T>
class MatrixView {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using Scalar = value_type;

  MatrixView() = default;
  MatrixView(T* data, std::size_t rows, std::size_t cols, std::size_t row_stride) noexcept
      : data_(data), rows_(rows), cols_(cols), ld_(row_stride) {}
  MatrixView(T* data, std::size_t rows, std::size_t cols) noexcept : MatrixView(data, rows, cols, cols) {}
  MatrixView(Matrix<value_type>& m) noexcept
    requires(!std::is_const_v<T>)
      : MatrixView(m.data(), m.rows(), m.cols()) {}
  MatrixView(const Matrix<value_type>& m) noexcept
    requires std::is_const_v<T>
      : MatrixView(m.data(), m.rows(), m.cols()) {}
  template <class U>
    requires(std::is_same_v<const U, T> && !std::is_same_v<U, T>)
  MatrixView(const MatrixView<U>& m) noexcept : MatrixView(m.data(), m.rows(), m.cols(), m.row_stride()) {}
  MatrixView(const MatrixView&) = default;

  MatrixView& operator=(const MatrixView& src)
    requires(!std::is_const_v<T>)
  {
    assign(src);
    return *this;
  }
  template <class U>
    requires std::is_assignable_v<T&, const U&>
  MatrixView& operator=(const MatrixView<U>& src) {
    assign(src);
    return *this;
  }
  template <class U>
    requires std::is_assignable_v<T&, const U&>
  MatrixView& operator=(const Matrix<U>& src) {
    assign(MatrixView<const U>(src));
    return *this;
  }
  template <class U>
    requires std::is_assignable_v<T&, const U&>
  void fill(const U& value) const {
    for (std::size_t i = 0; i < rows_; ++i)
      for (std::size_t j = 0; j < cols_; ++j) (*this)(i, j) = value;
  }

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  std::size_t size() const noexcept { return rows_ * cols_; }
  bool empty() const noexcept { return size() == 0; }
  std::size_t row_stride() const noexcept { return ld_; }
  // Whether the entries are one contiguous row-major run (as a Matrix's are).
  bool contiguous() const noexcept { return ld_ == cols_ || rows_ <= 1; }
  T* data() const noexcept { return data_; }
  T& operator()(std::size_t i, std::size_t j) const noexcept { return data_[i * ld_ + j]; }
  T& at(std::size_t i, std::size_t j) const {
    if (i >= rows_) view_detail::throw_index("MatrixView::at", "row", i, rows_);
    if (j >= cols_) view_detail::throw_index("MatrixView::at", "column", j, cols_);
    return (*this)(i, j);
  }

  Matrix<value_type> to_matrix() const {
    Matrix<value_type> m(rows_, cols_);
    for (std::size_t i = 0; i < rows_; ++i)
      for (std::size_t j = 0; j < cols_; ++j) m(i, j) = (*this)(i, j);
    return m;
  }
  explicit operator Matrix<value_type>() const { return to_matrix(); }

 private:
  template <class U>
  void assign(const MatrixView<U>& src) {
    if (src.rows() != rows_ || src.cols() != cols_)
      throw size_error("MatrixView assignment: destination is " + view_detail::shape(rows_, cols_) +
                       ", source is " + view_detail::shape(src.rows(), src.cols()));
    if (empty()) return;
    if constexpr (std::is_same_v<std::remove_cv_t<U>, value_type>) {
      if (src.data() == data_ && src.row_stride() == ld_) return;
      if (view_detail::ranges_overlap(data_, &(*this)(rows_ - 1, cols_ - 1), src.data(),
                                      &src(rows_ - 1, cols_ - 1))) {
        const Matrix<value_type> tmp = src.to_matrix();
        (*this) = tmp;
        return;
      }
    }
    for (std::size_t i = 0; i < rows_; ++i)
      for (std::size_t j = 0; j < cols_; ++j) (*this)(i, j) = src(i, j);
  }

  T* data_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::size_t ld_ = 0;
};

// ---- views of whole objects -------------------------------------------------------------------

template <class T>
VectorView<T> view(Vector<T>& v) noexcept {
  return VectorView<T>(v);
}
template <class T>
VectorView<const T> view(const Vector<T>& v) noexcept {
  return VectorView<const T>(v);
}
template <class T>
void view(const Vector<T>&&) = delete;
template <class T>
VectorView<T> view(VectorView<T> v) noexcept {
  return v;
}
template <class T>
MatrixView<T> view(Matrix<T>& m) noexcept {
  return MatrixView<T>(m);
}
template <class T>
MatrixView<const T> view(const Matrix<T>& m) noexcept {
  return MatrixView<const T>(m);
}
template <class T>
void view(const Matrix<T>&&) = delete;
template <class T>
MatrixView<T> view(MatrixView<T> m) noexcept {
  return m;
}

// ---- parts of a vector ------------------------------------------------------------------------

template <class T>
VectorView<T> segment_view(VectorView<T> v, std::size_t start, std::size_t n) {
  if (start > v.size() || n > v.size() - start)
    throw std::out_of_range("segment_view: segment of size " + std::to_string(n) + " at index " +
                            std::to_string(start) + " does not fit in a vector of size " + std::to_string(v.size()));
  return VectorView<T>(view_detail::advance(v.data(), start * v.stride(), n > 0), n, v.stride());
}
template <class T>
VectorView<T> segment_view(Vector<T>& v, std::size_t start, std::size_t n) {
  return segment_view(view(v), start, n);
}
template <class T>
VectorView<const T> segment_view(const Vector<T>& v, std::size_t start, std::size_t n) {
  return segment_view(view(v), start, n);
}
template <class T>
void segment_view(const Vector<T>&&, std::size_t, std::size_t) = delete;

// ---- parts of a matrix ------------------------------------------------------------------------

template <class T>
VectorView<T> row_view(MatrixView<T> m, std::size_t i) {
  if (i >= m.rows()) view_detail::throw_index("row_view", "row", i, m.rows());
  return VectorView<T>(view_detail::advance(m.data(), i * m.row_stride(), m.cols() > 0), m.cols(), 1);
}
template <class T>
VectorView<T> col_view(MatrixView<T> m, std::size_t j) {
  if (j >= m.cols()) view_detail::throw_index("col_view", "column", j, m.cols());
  return VectorView<T>(view_detail::advance(m.data(), j, m.rows() > 0), m.rows(), m.row_stride());
}
template <class T>
MatrixView<T> block_view(MatrixView<T> m, std::size_t r0, std::size_t c0, std::size_t nr, std::size_t nc) {
  if (r0 > m.rows() || nr > m.rows() - r0 || c0 > m.cols() || nc > m.cols() - c0)
    throw std::out_of_range("block_view: " + view_detail::shape(nr, nc) + " block at (" + std::to_string(r0) +
                            ", " + std::to_string(c0) + ") does not fit in a " +
                            view_detail::shape(m.rows(), m.cols()) + " matrix");
  return MatrixView<T>(view_detail::advance(m.data(), r0 * m.row_stride() + c0, nr > 0 && nc > 0), nr, nc,
                       m.row_stride());
}
// min(rows, cols) entries.
template <class T>
VectorView<T> diagonal_view(MatrixView<T> m) noexcept {
  return VectorView<T>(m.data(), std::min(m.rows(), m.cols()), m.row_stride() + 1);
}

template <class T>
VectorView<T> row_view(Matrix<T>& m, std::size_t i) {
  return row_view(view(m), i);
}
template <class T>
VectorView<const T> row_view(const Matrix<T>& m, std::size_t i) {
  return row_view(view(m), i);
}
template <class T>
void row_view(const Matrix<T>&&, std::size_t) = delete;

template <class T>
VectorView<T> col_view(Matrix<T>& m, std::size_t j) {
  return col_view(view(m), j);
}
template <class T>
VectorView<const T> col_view(const Matrix<T>& m, std::size_t j) {
  return col_view(view(m), j);
}
template <class T>
void col_view(const Matrix<T>&&, std::size_t) = delete;

template <class T>
MatrixView<T> block_view(Matrix<T>& m, std::size_t r0, std::size_t c0, std::size_t nr, std::size_t nc) {
  return block_view(view(m), r0, c0, nr, nc);
}
template <class T>
MatrixView<const T> block_view(const Matrix<T>& m, std::size_t r0, std::size_t c0, std::size_t nr,
                               std::size_t nc) {
  return block_view(view(m), r0, c0, nr, nc);
}
template <class T>
void block_view(const Matrix<T>&&, std::size_t, std::size_t, std::size_t, std::size_t) = delete;

template <class T>
VectorView<T> diagonal_view(Matrix<T>& m) noexcept {
  return diagonal_view(view(m));
}
template <class T>
VectorView<const T> diagonal_view(const Matrix<T>& m) noexcept {
  return diagonal_view(view(m));
}
template <class T>
void diagonal_view(const Matrix<T>&&) = delete;

// ---- shapes and owning copies -----------------------------------------------------------------

template <class T>
std::size_t rows(const VectorView<T>& v) noexcept {
  return v.size();
}
template <class T>
std::size_t cols(const VectorView<T>&) noexcept {
  return 1;
}
template <class T>
std::size_t rows(const MatrixView<T>& m) noexcept {
  return m.rows();
}
template <class T>
std::size_t cols(const MatrixView<T>& m) noexcept {
  return m.cols();
}

template <class T>
Vector<std::remove_cv_t<T>> to_vector(VectorView<T> v) {
  return v.to_vector();
}
// The identity on owning objects, so generic code can call to_vector on whichever it holds
// without a copy.
template <class T>
const Vector<T>& to_vector(const Vector<T>& v) noexcept {
  return v;
}
template <class T>
void to_vector(const Vector<T>&&) = delete;
template <class T>
Matrix<std::remove_cv_t<T>> to_matrix(MatrixView<T> m) {
  return m.to_matrix();
}
template <class T>
const Matrix<T>& to_matrix(const Matrix<T>& m) noexcept {
  return m;
}
template <class T>
void to_matrix(const Matrix<T>&&) = delete;

// ---- reductions on views (no copy; one node for Var) ----------------------------------------

template <class T>
std::remove_cv_t<T> sum(VectorView<T> x) {
  using R = std::remove_cv_t<T>;
  const std::size_t n = x.size();
  if (x.stride() == 1) return detail::sum_flat<R>(x.data(), n);
  if constexpr (is_var_v<R>) {
    Tape& t = tape();
    double v = 0.0;
    for (std::size_t i = 0; i < n; ++i) v += x[i].value();
    const VarRef ref(t, x.data(), n, x.stride());
    const index_t out = t.new_slot(v);
    t.make_node<detail::SumNode>(ref, out);
    return Var(v, out);
  } else {
    R s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i];
    return s;
  }
}

template <class T>
std::remove_cv_t<T> sum(MatrixView<T> x) {
  using R = std::remove_cv_t<T>;
  if (x.contiguous()) return detail::sum_flat<R>(x.data(), x.size());
  if constexpr (is_var_v<R>) {
    // A block's slots follow no single stride, so VarRef cannot name them in place; the copy is
    // of Vars (values and slots) and records nothing.
    const Matrix<Var> m = x.to_matrix();
    return detail::sum_flat(m.data(), m.size());
  } else {
    R s = 0.0;
    for (std::size_t i = 0; i < x.rows(); ++i)
      for (std::size_t j = 0; j < x.cols(); ++j) s += x(i, j);
    return s;
  }
}

template <class A, class B>
  requires view_detail::dot_compatible<A, B>
promote_t<A, B> dot(VectorView<A> a, VectorView<B> b) {
  if (a.size() != b.size())
    throw size_error("dot: operands have sizes " + std::to_string(a.size()) + " and " + std::to_string(b.size()));
  using R = promote_t<A, B>;
  const std::size_t n = a.size();
  if constexpr (is_var_v<R>) {
    Tape& t = tape();
    double v = 0.0;
    for (std::size_t i = 0; i < n; ++i) v += detail::as_double(a[i]) * detail::as_double(b[i]);
    auto oa = view_detail::strided_operand(t, a.data(), n, a.stride());
    auto ob = view_detail::strided_operand(t, b.data(), n, b.stride());
    const index_t out = t.new_slot(v);
    t.make_node<detail::DotNode<decltype(oa), decltype(ob)>>(oa, ob, out, n);
    return Var(v, out);
  } else {
    R s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  }
}
template <class A, class B>
  requires view_detail::dot_compatible<A, B>
promote_t<A, B> dot(VectorView<A> a, const Vector<B>& b) {
  return dot(a, view(b));
}
template <class A, class B>
  requires view_detail::dot_compatible<A, B>
promote_t<A, B> dot(const Vector<A>& a, VectorView<B> b) {
  return dot(view(a), b);
}

template <class T>
std::remove_cv_t<T> squared_norm(VectorView<T> x) {
  using R = std::remove_cv_t<T>;
  const std::size_t n = x.size();
  if constexpr (is_var_v<R>) {
    Tape& t = tape();
    double v = 0.0;
    for (std::size_t i = 0; i < n; ++i) v += x[i].value() * x[i].value();
    const VarRef ref(t, x.data(), n, x.stride());
    const index_t out = t.new_slot(v);
    t.make_node<detail::SquaredNormNode>(ref, out);
    return Var(v, out);
  } else {
    R s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i] * x[i];
    return s;
  }
}

}  // namespace tapir::autodiff
