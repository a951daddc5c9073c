// Growth of the tape in the middle of recording (tape_growth.cpp): creation of a thread's tape by
// its first record, repeated growth inside loops that keep many values in registers, and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <dlfcn.h>
#include <sys/resource.h>
#endif

#include "autodiff/functional.hpp"

using namespace tapir::autodiff;

#if defined(__x86_64__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
// The tape's buffers grow through realloc. This one, which replaces the C library's for the whole
// test program, first overwrites every caller-saved register (vector registers with zeros, general
// ones with garbage), so that a growth path that failed to restore any register the recording loop
// keeps a value in would change the loop's results.
extern "C" void* realloc(void* p, std::size_t n) {
  using Realloc = void* (*)(void*, std::size_t);
  static Realloc next = reinterpret_cast<Realloc>(dlsym(RTLD_NEXT, "realloc"));
  asm volatile(
      "mov $-1, %%rax\n\tmov $-1, %%rcx\n\tmov $-1, %%rdx\n\tmov $-1, %%r8\n\t"
      "mov $-1, %%r9\n\tmov $-1, %%r10\n\tmov $-1, %%r11"
      ::: "rax", "rcx", "rdx", "r8", "r9", "r10", "r11");
  if (__builtin_cpu_supports("avx")) asm volatile("vzeroall" ::: "xmm0", "xmm1", "xmm2", "xmm3",
      "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
      "xmm15");
  return next(p, n);
}
#endif

namespace {

// 16 running values a_k <- a_k * c_k + x_i, a plain double sum and an integer hash, all live
// across every record of the loop, so that any register the growth path failed to restore would
// change a result. Each step records 2 statements and 1 constant slot per accumulator.
struct Churn {
  double value;       // sum of the a_k
  double plain;       // sum of x_i / 4, on doubles only
  std::uint64_t mix;  // an LCG over i
};

constexpr double coefficient(int k) { return 0.5 + k / 64.0; }

template <class T, class X>
Churn churn(const X& x, std::size_t n, T* grad_source = nullptr) {
  T a0{}, a1{}, a2{}, a3{}, a4{}, a5{}, a6{}, a7{}, a8{}, a9{}, a10{}, a11{}, a12{}, a13{}, a14{},
      a15{};
  double plain = 0.0;
  std::uint64_t mix = 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto xi = x[i];
#define TAPIR_STEP(k) a##k = a##k * coefficient(k) + xi;
    TAPIR_STEP(0) TAPIR_STEP(1) TAPIR_STEP(2) TAPIR_STEP(3) TAPIR_STEP(4) TAPIR_STEP(5)
    TAPIR_STEP(6) TAPIR_STEP(7) TAPIR_STEP(8) TAPIR_STEP(9) TAPIR_STEP(10) TAPIR_STEP(11)
    TAPIR_STEP(12) TAPIR_STEP(13) TAPIR_STEP(14) TAPIR_STEP(15)
#undef TAPIR_STEP
    plain += static_cast<double>(i % 7) * 0.25;
    mix = mix * 6364136223846793005ull + i;
  }
  T total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
  if (grad_source) *grad_source = total;
  if constexpr (std::is_same_v<T, double>)
    return {total, plain, mix};
  else
    return {total.value(), plain, mix};
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Few live values, so that the compiler keeps them all in registers across every record: the
// factors, two recorded chains, a double chain and a counter.
struct Affine {
  double u, v, d;
  std::uint64_t k;
};
template <class T>
[[gnu::noinline]] Affine affine(std::size_t n, double a, double b) {
  T u = 1.0, v = 2.0;
  double d = 3.0;
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    u = u * a + b;
    v = v * b - a;
    d = d * a + b;
    k += i ^ (k >> 3);
  }
  if constexpr (std::is_same_v<T, double>)
    return {u, v, d, k};
  else
    return {u.value(), v.value(), d, k};
}

}  // namespace

TEST_CASE("a thread's first record, inside a loop with many live values, creates its tape") {
  // Constants as inputs: the first record (a Var times a datum) lands on the unborn tape.
  const std::size_t n = 40000;  // 16 * 3 * n slots: the tape grows several times in the loop
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(0.37 * static_cast<double>(i));
  const Churn want = churn<double>(x, n);
  Churn got{};
  std::size_t slots = 0;
  std::thread worker([&] {
    got = churn<Var>(x, n);
    slots = tape().size();
  });
  worker.join();
  CHECK(same_bits(got.value, want.value));
  CHECK(same_bits(got.plain, want.plain));
  CHECK(got.mix == want.mix);
  CHECK(slots > 16 * 3 * n);  // everything was recorded on the one tape
}

TEST_CASE("growth keeps the values a recording loop holds in registers") {
  const std::size_t n = 300000;  // 6 slots per step: the tape grows about 7 times in the loop
  const Affine want = affine<double>(n, 1.0000001, 0.5);
  Affine got{};
  std::thread worker([&] { got = affine<Var>(n, 1.0000001, 0.5); });
  worker.join();
  CHECK(same_bits(got.u, want.u));
  CHECK(same_bits(got.v, want.v));
  CHECK(same_bits(got.d, want.d));
  CHECK(got.k == want.k);
}

TEST_CASE("growth inside a recording loop keeps values and gradient exact") {
  const std::size_t n = 30000;
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = std::cos(0.11 * static_cast<double>(i));
  const Churn want = churn<double>(x, n);
  // d total / d x_i = sum_k c_k^(n-1-i)
  std::vector<double> want_grad(n, 0.0);
  for (int k = 0; k < 16; ++k) {
    double p = 1.0;
    for (std::size_t i = n; i-- > 0;) {
      want_grad[i] += p;
      p *= coefficient(k);
    }
  }
  Churn got{};
  std::vector<double> grad;
  std::thread worker([&] {
    // A fresh thread: its tape starts small, so recording the loop grows it repeatedly.
    std::vector<Var> xv(n);
    for (std::size_t i = 0; i < n; ++i) xv[i] = Var::independent(x[i]);
    Var y;
    got = churn<Var>(xv, n, &y);
    backward(y);
    for (const Var& v : xv) grad.push_back(v.adjoint());
  });
  worker.join();
  CHECK(same_bits(got.value, want.value));
  CHECK(same_bits(got.plain, want.plain));
  CHECK(got.mix == want.mix);
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(grad[i] - want_grad[i]));
  CHECK(worst < 1e-12);
}

#if defined(__x86_64__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(TAPIR_PLAIN_GROWTH)
extern "C" void tapir_tape_grow_for_recording_preserving_registers();

TEST_CASE("the growth call preserves every general register") {
  // Each register gets a distinct value, the call births a fresh thread's tape (allocations, through
  // the realloc above that overwrites the caller-saved registers), and all are read back.
  std::uint64_t out[14] = {};
  bool born = false;
  std::thread worker([&] {
    Tape* t = &detail::recording_tape();  // unborn: nothing has touched this thread's tape
    std::uint64_t* p = out;
    asm volatile(
        "pushq %[p]\n\t"
        "movq $0x1111, %%rax\n\tmovq $0x2222, %%rbx\n\tmovq $0x3333, %%rcx\n\t"
        "movq $0x4444, %%rdx\n\tmovq $0x5555, %%rsi\n\tmovq $0x6666, %%r8\n\t"
        "movq $0x7777, %%r9\n\tmovq $0x8888, %%r10\n\tmovq $0x9999, %%r11\n\t"
        "movq $0xaaaa, %%r12\n\tmovq $0xbbbb, %%r13\n\tmovq $0xcccc, %%r14\n\t"
        "movq $0xdddd, %%r15\n\t"
        "lea -128(%%rsp), %%rsp\n\t"
        "call tapir_tape_grow_for_recording_preserving_registers@PLT\n\t"
        "lea 128(%%rsp), %%rsp\n\t"
        "pushq %%rax\n\t"
        "movq 8(%%rsp), %%rax\n\t"
        "popq 0(%%rax)\n\t"
        "movq %%rbx, 8(%%rax)\n\tmovq %%rcx, 16(%%rax)\n\tmovq %%rdx, 24(%%rax)\n\t"
        "movq %%rsi, 32(%%rax)\n\tmovq %%r8, 40(%%rax)\n\tmovq %%r9, 48(%%rax)\n\t"
        "movq %%r10, 56(%%rax)\n\tmovq %%r11, 64(%%rax)\n\tmovq %%r12, 72(%%rax)\n\t"
        "movq %%r13, 80(%%rax)\n\tmovq %%r14, 88(%%rax)\n\tmovq %%r15, 96(%%rax)\n\t"
        "movq %%rdi, 104(%%rax)\n\t"
        "addq $8, %%rsp"
        :
        : [p] "m"(p), "D"(t)
        : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
          "memory", "cc");
    born = tape().size() == 1 && t == &tape();
    out[13] -= reinterpret_cast<std::uint64_t>(t);  // rdi must still hold the tape
  });
  worker.join();
  CHECK(born);
  const std::uint64_t want[14] = {0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777,
                                  0x8888, 0x9999, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0};
  for (int i = 0; i < 14; ++i) {
    CAPTURE(i);
    CHECK(out[i] == want[i]);
  }
}
#endif

#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
TEST_CASE("running out of memory while recording throws bad_alloc, and the tape stays usable") {
  rlimit old{};
  REQUIRE(getrlimit(RLIMIT_AS, &old) == 0);
  bool threw = false;
  double after = 0.0;
  std::thread worker([&] {
    (void)tape();  // created before the limit
    {
      NestedScope scope;
      rlimit tight = old;
      tight.rlim_cur = 1ull << 30;  // far below what the loop below would need
      REQUIRE(setrlimit(RLIMIT_AS, &tight) == 0);
      try {
        Var s = Var::independent(1.0);
        for (std::size_t i = 0; i < (std::size_t{1} << 31); ++i) s = s * 1.0000001 + 0.5;
      } catch (const std::bad_alloc&) {
        threw = true;
      } catch (...) {
      }
      setrlimit(RLIMIT_AS, &old);
    }
    // The scope rewound the tape; it records and differentiates as before.
    std::vector<double> g(2);
    after = value_and_gradient([](const auto& v) { return v[0] * v[1]; }, std::vector<double>{3.0, 4.0}, g);
    after += g[0] + g[1];
  });
  worker.join();
  CHECK(threw);
  CHECK(after == 12.0 + 4.0 + 3.0);
}
#endif
