#pragma once
// The type-erased log-density handle every inference algorithm uses. A model is any type with
//
//   template <class T> T log_density(ParameterReader<T>& p) const;
//
// (see parameter_reader.hpp). `Model` wraps it once; samplers, optimizers and VI then work on plain
// double vectors on the unconstrained space, compiled once against this handle rather than once
// per model. The handle is immutable and may be shared by threads (each thread has its own tape).
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/functional.hpp"
#include "models/parameter_reader.hpp"

namespace tapir::models {

template <class M>
concept ModelDefinition = requires(const M& m, ParameterReader<double>& rd, ParameterReader<Var>& rv) {
  { m.log_density(rd) };
  { m.log_density(rv) };
};

// How constrained names are spelled: CmdStan's CSV header (theta.1, L.2.1) or Stan's own
// (theta[1], L[2,1], as in posteriordb's reference summaries).
enum class NameStyle { cmdstan, stan };

class Model {
 public:
  template <ModelDefinition M>
  explicit Model(M model, std::string name = "model") : impl_(std::make_shared<Impl<M>>(std::move(model))) {
    name_ = std::move(name);
    ParameterReader<double> reader(std::span<const double>(), true, ReaderMode::discover);
    impl_->evaluate(reader);
    for (const ParameterInfo& p : reader.declared()) (p.output ? outputs_ : parameters_).push_back(p);
    dimension_ = reader.position();
  }

  const std::string& name() const { return name_; }
  // The number of unconstrained parameters.
  std::size_t dimension() const { return dimension_; }
  // Parameters in declaration order, and the outputs (transformed parameters) the model writes.
  const std::vector<ParameterInfo>& parameters() const { return parameters_; }
  const std::vector<ParameterInfo>& outputs() const { return outputs_; }

  // Log density (up to a constant) on the unconstrained space, with the log-Jacobian of the
  // constraining transform unless jacobian is false (for optimization on the constrained scale).
  double log_density(std::span<const double> x, bool jacobian = true) const {
    check_dimension(x.size());
    return impl_->log_density(x, jacobian);
  }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient, bool jacobian = true) const {
    check_dimension(x.size());
    return impl_->value_and_gradient(x, gradient, jacobian);
  }
  // Exact Hessian-vector product H(x) v, with the value and gradient.
  double hvp(std::span<const double> x, std::span<const double> v, std::span<double> gradient,
             std::span<double> hv, bool jacobian = true) const {
    check_dimension(x.size());
    return impl_->hvp(x, v, gradient, hv, jacobian);
  }

  // Constrained parameter values followed by the outputs, in the order of constrained_names().
  std::vector<double> constrain(std::span<const double> x) const {
    check_dimension(x.size());
    ParameterReader<double> reader(x, false, ReaderMode::write);
    impl_->evaluate(reader);
    return reader.written();
  }
  // Unconstrained values from constrained parameter values given in declaration order (outputs
  // not included); throws tapir::domain_error naming a value outside its constraint.
  std::vector<double> unconstrain(std::span<const double> constrained) const {
    ParameterReader<double> reader(constrained, false, ReaderMode::unconstrain);
    impl_->evaluate(reader);
    if (reader.position() != constrained.size())
      throw size_error("unconstrain: " + std::to_string(constrained.size()) + " constrained values given, the model reads " +
                       std::to_string(reader.position()));
    return reader.unconstrained_out();
  }
  std::size_t constrained_size() const {
    std::size_t n = 0;
    for (const auto& p : parameters_) n += p.constrained_size();
    return n;
  }

  // Flat names of the constrained parameters, then of the outputs (with_outputs), element by
  // element in row-major order, 1-based as Stan numbers them.
  std::vector<std::string> constrained_names(NameStyle style = NameStyle::cmdstan, bool with_outputs = true) const {
    std::vector<std::string> names;
    auto add = [&](const ParameterInfo& p) {
      if (p.dims.empty()) {
        names.push_back(p.name);
        return;
      }
      std::vector<std::size_t> idx(p.dims.size(), 0);
      for (std::size_t k = 0; k < p.constrained_size(); ++k) {
        std::string s = p.name + (style == NameStyle::cmdstan ? "." : "[");
        for (std::size_t d = 0; d < idx.size(); ++d) {
          if (d) s += style == NameStyle::cmdstan ? "." : ",";
          s += std::to_string(idx[d] + 1);
        }
        if (style == NameStyle::stan) s += "]";
        names.push_back(std::move(s));
        for (std::size_t d = idx.size(); d-- > 0;) {
          if (++idx[d] < p.dims[d]) break;
          idx[d] = 0;
        }
      }
    };
    for (const auto& p : parameters_) add(p);
    if (with_outputs)
      for (const auto& p : outputs_) add(p);
    return names;
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void evaluate(ParameterReader<double>& reader) const = 0;
    virtual double log_density(std::span<const double> x, bool jacobian) const = 0;
    virtual double value_and_gradient(std::span<const double> x, std::span<double> g, bool jacobian) const = 0;
    virtual double hvp(std::span<const double> x, std::span<const double> v, std::span<double> g,
                       std::span<double> hv, bool jacobian) const = 0;
  };

  template <class M>
  struct Impl final : Concept {
    explicit Impl(M m) : model(std::move(m)) {}
    M model;

    // The log density of an unconstrained point, as a function the functional API differentiates.
    auto target(bool jacobian) const {
      return [this, jacobian](const auto& x) {
        using T = typename std::decay_t<decltype(x)>::Scalar;
        ParameterReader<T> reader(std::span<const T>(x.data(), x.size()), jacobian);
        T lp = model.log_density(reader);
        return T(lp + reader.log_jacobian());
      };
    }
    void evaluate(ParameterReader<double>& reader) const override { (void)model.log_density(reader); }
    double log_density(std::span<const double> x, bool jacobian) const override {
      ParameterReader<double> reader(x, jacobian);
      return model.log_density(reader) + reader.log_jacobian();
    }
    double value_and_gradient(std::span<const double> x, std::span<double> g, bool jacobian) const override {
      return autodiff::value_and_gradient(target(jacobian), x, g);
    }
    double hvp(std::span<const double> x, std::span<const double> v, std::span<double> g, std::span<double> hv,
               bool jacobian) const override {
      return autodiff::hvp(target(jacobian), x, v, g, hv);
    }
  };

  void check_dimension(std::size_t n) const {
    if (n != dimension_)
      throw size_error(name_ + ": a point has " + std::to_string(n) + " values, the model has " +
                       std::to_string(dimension_) + " unconstrained parameters");
  }

  std::shared_ptr<const Concept> impl_;
  std::string name_;
  std::vector<ParameterInfo> parameters_;
  std::vector<ParameterInfo> outputs_;
  std::size_t dimension_ = 0;
};

}  // namespace tapir::models
