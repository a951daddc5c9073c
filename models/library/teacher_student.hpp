#pragma once
// Teacher-student MLP regression, a learning-coefficient target (llc-vi-guide.md; see
// llc_target.hpp for the loss and the tempered posterior):
//
//   x_i ~ normal(0, input_sd^2 I),   y_i = teacher(x_i) + noise_sd e_i,   e_i ~ normal(0, I),  i = 1..n
//
// The teacher is an nn::MLP with the chosen widths {inputs, hidden..., outputs} and activation
// (identity output); its weights are LeCun-normal (variance 1 / fan_in) and its biases
// normal(0, bias_sd^2). The student is an MLP of the same depth with widths at least the teacher's
// (the same inputs and outputs); the loss L_n is over the student's weights (nn::MLP layout: per
// layer W (in x out, row-major), then b).
//
// The optimum w* (realizable case) is the teacher embedded in the student: each teacher unit in
// the first units of its layer, every other weight and bias 0. The extra hidden units then get
// zero pre-activations and have zero outgoing weights, so the student computes the teacher exactly
// (for any activation). For a student wider than the teacher w* is a singular point of a set of
// optima (the usual setting for LLC estimates).
//
// Keys: the teacher's weights, the inputs and the noise each come from one of split(key, 3).
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/errors.hpp"
#include "autodiff/matrix.hpp"
#include "distributions/random.hpp"
#include "models/library/llc_target.hpp"
#include "models/nn/activation.hpp"
#include "models/nn/linear.hpp"
#include "models/nn/mlp.hpp"

namespace tapir::models {

struct TeacherStudentConfig {
  std::vector<std::size_t> teacher_widths{2, 8, 1};
  std::vector<std::size_t> student_widths{};  // empty: the teacher's widths
  std::size_t rows = 1024;
  double noise_sd = 0.1;
  double input_sd = 1.0;
  double bias_sd = 0.1;
  nn::Activation activation = nn::Activation::tanh;
};

class TeacherStudent : public SquaredErrorRegression<nn::MLP> {
 public:
  explicit TeacherStudent(distributions::Key key, const TeacherStudentConfig& config = {})
      : TeacherStudent(generate(key, config)) {}

  const TeacherStudentConfig& config() const { return config_; }
  const nn::MLP& teacher() const { return teacher_; }
  const nn::MLP& student() const { return network(); }
  // The teacher's own weights (nn::MLP layout of the teacher's widths).
  const std::vector<double>& teacher_parameters() const { return teacher_params_; }

 private:
  struct Generated {
    TeacherStudentConfig config;
    nn::MLP teacher, student;
    std::vector<double> teacher_params, optimum;
    RegressionData data;
  };

  explicit TeacherStudent(Generated g)
      : SquaredErrorRegression<nn::MLP>(std::move(g.student), std::move(g.data), std::move(g.optimum)),
        config_(std::move(g.config)),
        teacher_(std::move(g.teacher)),
        teacher_params_(std::move(g.teacher_params)) {}

  static Generated generate(distributions::Key key, TeacherStudentConfig c) {
    const char* fn = "TeacherStudent";
    if (c.student_widths.empty()) c.student_widths = c.teacher_widths;
    const auto& tw = c.teacher_widths;
    const auto& sw = c.student_widths;
    if (tw.size() < 2) throw size_error("TeacherStudent: teacher_widths needs at least inputs and outputs");
    if (sw.size() != tw.size())
      throw size_error("TeacherStudent: the student has " + std::to_string(sw.size()) + " widths, the teacher " +
                       std::to_string(tw.size()) + " (the same depth is required)");
    for (std::size_t l = 0; l < tw.size(); ++l) {
      const bool end = l == 0 || l + 1 == tw.size();
      if (end ? sw[l] != tw[l] : sw[l] < tw[l])
        throw size_error("TeacherStudent: student width " + std::to_string(l) + " is " + std::to_string(sw[l]) +
                         ", the teacher's is " + std::to_string(tw[l]) +
                         (end ? " (inputs and outputs must match)" : " (the student must be at least as wide)"));
      if (tw[l] == 0) throw size_error("TeacherStudent: width " + std::to_string(l) + " is 0");
    }
    if (!(c.noise_sd >= 0.0)) throw_domain_error(fn, "noise_sd", c.noise_sd, ">= 0");
    if (!(c.input_sd > 0.0)) throw_domain_error(fn, "input_sd", c.input_sd, "positive");
    if (!(c.bias_sd >= 0.0)) throw_domain_error(fn, "bias_sd", c.bias_sd, ">= 0");

    nn::MLP teacher(tw, c.activation), student(sw, c.activation);
    const auto keys = distributions::split(key, 3);
    // Teacher weights: LeCun normal; biases normal(0, bias_sd^2).
    std::vector<double> tp(teacher.num_parameters());
    {
      distributions::Generator g(keys[0]);
      teacher.initialize(g, std::span<double>(tp), nn::Init::lecun_normal);
      for (std::size_t l = 0; l < teacher.num_layers(); ++l) {
        const auto& layer = teacher.layers()[l];
        const std::size_t b0 = teacher.parameter_offset(l) + layer.num_weights();
        for (std::size_t j = 0; j < layer.out_features(); ++j) tp[b0 + j] = c.bias_sd * distributions::standard_normal(g);
      }
    }
    // w*: the teacher embedded in the student.
    std::vector<double> opt(student.num_parameters(), 0.0);
    for (std::size_t l = 0; l < teacher.num_layers(); ++l) {
      const auto& tl = teacher.layers()[l];
      const auto& sl = student.layers()[l];
      const std::size_t to = teacher.parameter_offset(l), so = student.parameter_offset(l);
      for (std::size_t i = 0; i < tl.in_features(); ++i)
        for (std::size_t j = 0; j < tl.out_features(); ++j)
          opt[so + i * sl.out_features() + j] = tp[to + i * tl.out_features() + j];
      for (std::size_t j = 0; j < tl.out_features(); ++j) opt[so + sl.num_weights() + j] = tp[to + tl.num_weights() + j];
    }
    // Data.
    const std::size_t n = c.rows;
    RegressionData data{Matrix<double>(n, tw.front()), Matrix<double>(n, tw.back())};
    {
      distributions::Generator g(keys[1]);
      for (std::size_t q = 0; q < data.x.size(); ++q) data.x.data()[q] = c.input_sd * distributions::standard_normal(g);
    }
    if (n > 0) data.y = teacher.forward(std::span<const double>(tp), data.x);
    {
      distributions::Generator g(keys[2]);
      for (std::size_t q = 0; q < data.y.size(); ++q) data.y.data()[q] += c.noise_sd * distributions::standard_normal(g);
    }
    return Generated{std::move(c), std::move(teacher), std::move(student), std::move(tp), std::move(opt), std::move(data)};
  }

  TeacherStudentConfig config_;
  nn::MLP teacher_;
  std::vector<double> teacher_params_;
};

}  // namespace tapir::models
