#include "models/posteriors/registry.hpp"

#include <functional>
#include <map>
#include <utility>

#include "autodiff/errors.hpp"
#include "models/posteriors/ark.hpp"
#include "models/posteriors/blr.hpp"
#include "models/posteriors/eight_schools_centered.hpp"
#include "models/posteriors/eight_schools_noncentered.hpp"
#include "models/posteriors/garch11.hpp"
#include "models/posteriors/gp_regr.hpp"
#include "models/posteriors/kidscore_momiq.hpp"
#include "models/posteriors/kilpisjarvi.hpp"
#include "models/posteriors/low_dim_gauss_mix.hpp"

namespace tapir::models::posteriors {

namespace {

struct Entry {
  std::string data_folder;
  std::function<Model(const Data&, const std::string&)> make;
};

template <class M>
Entry entry(std::string data_folder) {
  return {std::move(data_folder), [](const Data& data, const std::string& name) { return Model(M::from_data(data), name); }};
}

const std::map<std::string, Entry>& registry() {
  static const std::map<std::string, Entry> r = {
      {"arK-arK", entry<ArK>("arK-arK")},
      {"eight_schools-eight_schools_centered",
       entry<EightSchoolsCentered>("eight_schools-eight_schools_noncentered")},
      {"eight_schools-eight_schools_noncentered",
       entry<EightSchoolsNoncentered>("eight_schools-eight_schools_noncentered")},
      {"garch-garch11", entry<Garch11>("garch-garch11")},
      {"gp_pois_regr-gp_regr", entry<GpRegr>("gp_pois_regr-gp_regr")},
      {"kidiq-kidscore_momiq", entry<KidscoreMomiq>("kidiq-kidscore_momiq")},
      {"kilpisjarvi_mod-kilpisjarvi", entry<Kilpisjarvi>("kilpisjarvi_mod-kilpisjarvi")},
      {"low_dim_gauss_mix-low_dim_gauss_mix", entry<LowDimGaussMix>("low_dim_gauss_mix-low_dim_gauss_mix")},
      {"sblrc-blr", entry<Blr>("sblrc-blr")},
  };
  return r;
}

const Entry& find(const std::string& name) {
  const auto& r = registry();
  const auto it = r.find(name);
  if (it == r.end()) {
    std::string known;
    for (const auto& [n, e] : r) known += (known.empty() ? "" : ", ") + n;
    throw domain_error("reference posteriors: unknown model \"" + name + "\"; known models: " + known);
  }
  return it->second;
}

}  // namespace

const std::vector<std::string>& reference_model_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [n, e] : registry()) v.push_back(n);
    return v;
  }();
  return names;
}

std::string reference_data_folder(const std::string& name) { return find(name).data_folder; }

Model make_reference_model(const std::string& name, const Data& data) { return find(name).make(data, name); }

Model load_reference_model(const std::string& reference_posteriors_dir, const std::string& name) {
  const Entry& e = find(name);
  return e.make(Data::from_file(reference_posteriors_dir + "/" + e.data_folder + "/data.json"), name);
}

}  // namespace tapir::models::posteriors
