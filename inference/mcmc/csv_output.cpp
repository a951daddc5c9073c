#include "inference/mcmc/csv_output.hpp"

namespace tapir::inference::mcmc {

CsvConfig csv_config(const NutsConfig& config, const CsvConfig& base) {
  CsvConfig c = base;
  c.num_samples = config.num_samples;
  c.num_warmup = config.num_warmup;
  c.save_warmup = config.save_warmup;
  c.thin = config.thin;
  c.adapt_engaged = config.adapt;
  c.gamma = config.gamma;
  c.delta = config.delta;
  c.kappa = config.kappa;
  c.t0 = config.t0;
  c.init_buffer = config.init_buffer;
  c.term_buffer = config.term_buffer;
  c.window = config.window;
  c.max_depth = config.max_depth;
  c.dense_metric = config.dense_metric;
  c.stepsize = config.step_size;
  // CmdStan's init argument: the radius of the uniform initialization, or the init file.
  if (config.init.empty())
    c.init = format_number(config.init_radius, CsvWriter::full_precision);
  else if (base.init == CsvConfig{}.init)
    c.init = "user-given values";
  return c;
}

CsvOutput::CsvOutput(const std::string& path, const models::Model& model, const NutsConfig& config,
                     const CsvConfig& base)
    : writer_(path), adapt_(config.adapt && config.num_warmup > 0) {
  start(model, config, base);
}

CsvOutput::CsvOutput(std::ostream& out, const models::Model& model, const NutsConfig& config, const CsvConfig& base)
    : writer_(out), adapt_(config.adapt && config.num_warmup > 0) {
  start(model, config, base);
}

void CsvOutput::start(const models::Model& model, const NutsConfig& config, const CsvConfig& base) {
  CsvConfig c = csv_config(config, base);
  if (c.model == "model") c.model = model.name();
  writer_.header(c, model.constrained_names(models::NameStyle::cmdstan));
}

void CsvOutput::draw(const SamplerRow& row, std::span<const double> constrained, bool) {
  writer_.row(row, constrained);
}

// CmdStan writes the adaptation block only when it adapted.
void CsvOutput::adaptation_done(double step_size, const Metric& metric) {
  if (!adapt_) return;
  if (metric.kind() == Metric::Kind::diagonal)
    writer_.adaptation(step_size, metric.inverse_diagonal());
  else
    writer_.adaptation(step_size, {metric.inverse_dense().data(), metric.inverse_dense().size()}, metric.dimension());
}

void CsvOutput::finished(double warmup_seconds, double sampling_seconds) {
  writer_.timing(warmup_seconds, sampling_seconds);
}

std::vector<DrawSink*> sinks(const std::vector<std::unique_ptr<CsvOutput>>& outputs) {
  std::vector<DrawSink*> s;
  s.reserve(outputs.size());
  for (const auto& o : outputs) s.push_back(o.get());
  return s;
}

}  // namespace tapir::inference::mcmc
