#pragma once
// The reference posteriors (posteriordb, as in ../shared/reference-posteriors/) as models:
//
//   const Data data = Data::from_file(dir + "/garch-garch11/data.json");
//   const Model model = make_reference_model("garch-garch11", data);
//
// Names are the reference-posteriors folder names, plus "eight_schools-eight_schools_centered"
// (the centred eight schools model, on the data of eight_schools-eight_schools_noncentered; see
// reference_data_folder). Each model is the same model as its folder's model.stan: the same
// parameters in the same order with the same constraints and shapes, so that
// Model::constrained_names(NameStyle::stan) spells the keys of reference.json ("theta[1]", "mu"),
// and the same log density, keeping every normalizing constant: each `y ~ dist(...)` is
// evaluated as `target += dist_lpdf(y | ...)`, so the log density differs from Stan's log_prob of
// model.stan (where `~` drops the terms that depend on data only) by a constant per data set.
//
//   name                                     struct (models/posteriors/<header>)
//   arK-arK                                  ArK (ark.hpp)
//   eight_schools-eight_schools_centered     EightSchoolsCentered (eight_schools_centered.hpp)
//   eight_schools-eight_schools_noncentered  EightSchoolsNoncentered (eight_schools_noncentered.hpp)
//   garch-garch11                            Garch11 (garch11.hpp)
//   gp_pois_regr-gp_regr                     GpRegr (gp_regr.hpp)
//   kidiq-kidscore_momiq                     KidscoreMomiq (kidscore_momiq.hpp)
//   kilpisjarvi_mod-kilpisjarvi              Kilpisjarvi (kilpisjarvi.hpp)
//   low_dim_gauss_mix-low_dim_gauss_mix      LowDimGaussMix (low_dim_gauss_mix.hpp)
//   sblrc-blr                                Blr (blr.hpp)
#include <string>
#include <vector>

#include "models/data.hpp"
#include "models/model.hpp"

namespace tapir::models::posteriors {

// The names make_reference_model knows, sorted.
const std::vector<std::string>& reference_model_names();

// The reference-posteriors folder holding the model's data.json and reference.json: the name
// itself, except eight_schools-eight_schools_noncentered for the centred eight schools. Throws
// tapir::domain_error for an unknown name.
std::string reference_data_folder(const std::string& name);

// The model of a reference posterior, built from its data (the Model is named `name`). Throws
// tapir::domain_error listing the known names for an unknown name, and the model's own data
// errors (tapir::domain_error / tapir::size_error naming the key) for bad data.
Model make_reference_model(const std::string& name, const Data& data);

// Reads <reference_posteriors_dir>/<reference_data_folder(name)>/data.json and builds the model.
Model load_reference_model(const std::string& reference_posteriors_dir, const std::string& name);

}  // namespace tapir::models::posteriors
