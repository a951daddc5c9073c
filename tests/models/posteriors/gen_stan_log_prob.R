# Generates tests/models/posteriors/stan_reference_values.hpp: Stan's own log density, gradient
# and constrained values (through rstan) at fixed unconstrained points of every reference
# posterior, for the tests of models/posteriors/*.hpp.
#
#   Rscript tests/models/posteriors/gen_stan_log_prob.R [shared-folder]
#
# The shared folder defaults to $TAPIR_SHARED, else ../shared next to the repository. Needs rstan
# (Debian: apt-get install r-cran-rstan) and jsonlite. Each Stan program is compiled twice (18
# compilations, a few minutes each); to go faster, compile without optimization through a private
# Makevars (R_MAKEVARS_USER=file holding "CXX14FLAGS = -O0 -g0 -fpic"), and set TAPIR_STAN_CACHE to
# a folder to keep the compiled programs between runs.
#
# For each posterior the program is its model.stan (eight_schools_centered is written out below,
# posteriordb's program, with the eight_schools_noncentered data), compiled twice:
#   - as written: log_prob is Stan's log density with `~` dropping constant terms;
#   - with every `y ~ dist(args);` rewritten as `target += dist_lpdf(y | args);`, so that
#     log_prob keeps every constant: the normalization the C++ models use.
# rstan 2.21 bundles Stan 2.21, which predates the `array[N] real x` declarations of the
# posteriordb programs: they are rewritten to the older `real x[N]` spelling (the same model).
#
# Points: the posterior's reference means (reference.json) mapped to the unconstrained space
# (for eight_schools_noncentered, theta_trans = (theta - mu) / tau from the means), then that
# point moved along fixed directions d_k[i] = sin(1.7 k + 2.3 i + 0.5) by 0.25, -0.5 and 1.

suppressPackageStartupMessages({
  library(rstan)
  library(jsonlite)
})
rstan_options(auto_write = FALSE)
options(mc.cores = 1)

script_path <- function() {
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0) return(normalizePath("tests/models/posteriors/gen_stan_log_prob.R"))
  normalizePath(sub("^--file=", "", arg[1]))
}
here <- dirname(script_path())
args <- commandArgs(trailingOnly = TRUE)
shared <- if (length(args) >= 1) args[1] else Sys.getenv("TAPIR_SHARED", "")
if (shared == "") shared <- file.path(here, "..", "..", "..", "..", "shared")
shared <- normalizePath(shared)
posteriors <- file.path(shared, "reference-posteriors")
out_file <- file.path(here, "stan_reference_values.hpp")

eight_schools_centered <- "
data {
  int<lower=0> J; // number of schools
  array[J] real y; // estimated treatment
  array[J] real<lower=0> sigma; // std of estimated effect
}
parameters {
  array[J] real theta; // treatment effect in school j
  real mu; // hyper-parameter of mean
  real<lower=0> tau; // hyper-parameter of sdv
}
model {
  tau ~ cauchy(0, 5); // a non-informative prior
  theta ~ normal(mu, tau);
  y ~ normal(theta, sigma);
  mu ~ normal(0, 5);
}
"

# name (the registry's), C++ identifier, data/reference folder, program (NULL: the folder's model.stan)
models <- list(
  list("arK-arK", "ark", "arK-arK", NULL),
  list("eight_schools-eight_schools_noncentered", "eight_schools_noncentered",
       "eight_schools-eight_schools_noncentered", NULL),
  list("eight_schools-eight_schools_centered", "eight_schools_centered",
       "eight_schools-eight_schools_noncentered", eight_schools_centered),
  list("garch-garch11", "garch11", "garch-garch11", NULL),
  list("gp_pois_regr-gp_regr", "gp_regr", "gp_pois_regr-gp_regr", NULL),
  list("kidiq-kidscore_momiq", "kidscore_momiq", "kidiq-kidscore_momiq", NULL),
  list("kilpisjarvi_mod-kilpisjarvi", "kilpisjarvi", "kilpisjarvi_mod-kilpisjarvi", NULL),
  list("low_dim_gauss_mix-low_dim_gauss_mix", "low_dim_gauss_mix", "low_dim_gauss_mix-low_dim_gauss_mix", NULL),
  list("sblrc-blr", "blr", "sblrc-blr", NULL)
)

# `array[dims] type<bounds> name` -> `type<bounds> name[dims]` (Stan 2.21 syntax).
to_stan_221 <- function(code) {
  gsub("array\\s*\\[([^]]+)\\]\\s*(real|int)\\s*(<[^>;]*>)?\\s*([A-Za-z_][A-Za-z0-9_]*)",
       "\\2\\3 \\4[\\1]", code, perl = TRUE)
}

# `lhs ~ dist(args);` -> `target += dist_lpdf(lhs | args);` (every distribution here is continuous).
keep_constants <- function(code) {
  lines <- strsplit(code, "\n", fixed = TRUE)[[1]]
  lines <- sub("^(\\s*)([^~;/]+?)\\s*~\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\((.*)\\)\\s*;",
               "\\1target += \\3_lpdf(\\2 | \\4);", lines, perl = TRUE)
  paste(lines, collapse = "\n")
}

fmt <- function(x) {
  s <- sprintf("%.17g", x)
  s[is.infinite(x) & x > 0] <- "inf"
  s[is.infinite(x) & x < 0] <- "-inf"
  s
}
cpp_vector <- function(x) paste0("{", paste(fmt(x), collapse = ", "), "}")
cpp_strings <- function(x) paste0("{", paste0("\"", x, "\"", collapse = ", "), "}")

direction <- function(k, n) sin(1.7 * k + 2.3 * (seq_len(n) - 1) + 0.5)

# Flat names of a fit's parameters and transformed parameters, in Stan's order (all of them are
# scalars or one-dimensional here).
flat_names <- function(fit, pars) {
  dims <- fit@par_dims[pars]
  unlist(lapply(names(dims), function(p) {
    d <- dims[[p]]
    if (length(d) == 0) p
    else {
      stopifnot(length(d) == 1)
      paste0(p, "[", seq_len(d), "]")
    }
  }))
}

# The reference means as a list of constrained parameter values.
base_point <- function(name, fit, reference) {
  means <- sapply(reference$parameters, function(s) s$mean)
  value_of <- function(p, d) {
    if (length(d) == 0) return(unname(means[p]))
    unname(means[paste0(p, "[", seq_len(d), "]")])
  }
  pars <- setdiff(fit@model_pars, "lp__")
  init <- list()
  for (p in pars) {
    d <- fit@par_dims[[p]]
    v <- value_of(p, d)
    if (!anyNA(v)) init[[p]] <- if (length(d) == 0) v else array(v, dim = d)
  }
  if (name == "eight_schools-eight_schools_noncentered")
    init$theta_trans <- (init$theta - init$mu) / init$tau
  init
}

# Compiled programs may be kept between runs in $TAPIR_STAN_CACHE (a folder), keyed by the program.
compile <- function(code) {
  code <- to_stan_221(code)
  cache <- Sys.getenv("TAPIR_STAN_CACHE", "")
  if (cache != "") {
    dir.create(cache, showWarnings = FALSE, recursive = TRUE)
    key <- file.path(cache, paste0(digest_of(code), ".rds"))
    if (file.exists(key)) return(readRDS(key))
  }
  sm <- stan_model(model_code = code, verbose = FALSE, save_dso = TRUE, auto_write = FALSE)
  if (cache != "") saveRDS(sm, key)
  sm
}
digest_of <- function(text) {
  f <- tempfile()
  writeLines(text, f)
  unname(tools::md5sum(f))
}

# A stanfit holding the model's C++ instance (one fixed-parameter iteration at `init`, a list of
# constrained values, or 0: the unconstrained origin).
instance <- function(sm, data, init) {
  suppressWarnings(sampling(sm, data = data, chains = 1, iter = 1, warmup = 0, algorithm = "Fixed_param",
                            init = if (is.list(init)) list(init) else init, refresh = 0, seed = 1))
}

out <- c(
  "// Generated by tests/models/posteriors/gen_stan_log_prob.R: do not edit.",
  paste0("// rstan ", packageVersion("rstan"), ", Stan ", stan_version(),
         ". Stan's log_prob(adjust_transform = TRUE) at fixed unconstrained points of each"),
  "// reference posterior: log_prob of model.stan as written (`~` drops constant terms), log_prob",
  "// with every `~` as `target += *_lpdf` (all constants kept), the gradient, and the constrained",
  "// parameters followed by the transformed parameters (constrain_pars), in Stan's order.",
  "#pragma once",
  "",
  "#include <string>",
  "#include <vector>",
  "",
  "namespace tapir_test::stan_reference {",
  "",
  "struct Point {",
  "  std::vector<double> unconstrained;",
  "  double log_prob;       // model.stan as written",
  "  double log_prob_full;  // every `~` as target += *_lpdf",
  "  std::vector<double> gradient;",
  "  std::vector<double> constrained;",
  "};",
  "",
  "struct Reference {",
  "  const char* name;",
  "  std::vector<std::string> constrained_names;  // Stan's spelling, parameters then transformed",
  "  std::vector<Point> points;",
  "};",
  ""
)

for (m in models) {
  name <- m[[1]]; id <- m[[2]]; folder <- m[[3]]; code <- m[[4]]
  message("== ", name)
  if (is.null(code)) code <- paste(readLines(file.path(posteriors, folder, "model.stan")), collapse = "\n")
  data <- fromJSON(file.path(posteriors, folder, "data.json"), simplifyVector = TRUE)
  reference <- fromJSON(file.path(posteriors, folder, "reference.json"), simplifyVector = FALSE)

  sm <- compile(code)
  sm_full <- compile(keep_constants(code))
  fit0 <- instance(sm, data, 0)  # for the parameter names and shapes only
  init <- base_point(name, fit0, reference)
  fit <- instance(sm, data, init)
  fit_full <- instance(sm_full, data, init)

  u0 <- unconstrain_pars(fit, init)
  n <- length(u0)
  points <- list(u0, u0 + 0.25 * direction(1, n), u0 - 0.5 * direction(2, n), u0 + direction(3, n))
  pars <- setdiff(fit@model_pars, "lp__")
  names_flat <- flat_names(fit, pars)

  lines <- c()
  for (u in points) {
    lp <- log_prob(fit, u, adjust_transform = TRUE)
    lp_full <- log_prob(fit_full, u, adjust_transform = TRUE)
    g <- grad_log_prob(fit, u, adjust_transform = TRUE)
    stopifnot(abs(attr(g, "log_prob") - lp) <= 1e-12 * max(1, abs(lp)))
    cp <- constrain_pars(fit, u)
    constrained <- unlist(lapply(pars, function(p) as.vector(cp[[p]])))
    stopifnot(length(constrained) == length(names_flat))
    lines <- c(lines, paste0("     {", cpp_vector(u), ",\n      ", fmt(lp), ", ", fmt(lp_full), ",\n      ",
                             cpp_vector(as.vector(g)), ",\n      ", cpp_vector(constrained), "}"))
  }
  out <- c(out,
           paste0("inline const Reference ", id, " = {"),
           paste0("    \"", name, "\","),
           paste0("    ", cpp_strings(names_flat), ","),
           "    {",
           paste0(paste(lines, collapse = ",\n"), "}};"),
           "")
}

out <- c(out,
         "inline const std::vector<const Reference*> all = {",
         paste0("    ", paste0("&", sapply(models, `[[`, 2), collapse = ", "), "};"),
         "",
         "}  // namespace tapir_test::stan_reference")
writeLines(out, out_file)
message("wrote ", out_file)
