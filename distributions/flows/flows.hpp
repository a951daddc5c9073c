#pragma once
// Normalizing flows (namespace tapir::distributions::flows): the interface and type-erased handle
// (flow.hpp), Planar, AffineCoupling (RealNVP), MADE, InverseAutoregressive and
// MaskedAutoregressive, FlowSequence (flows followed by bijectors) and FlowDistribution (the
// variational family: a standard normal pushed through a sequence).
#include "distributions/flows/autoregressive.hpp"
#include "distributions/flows/coupling.hpp"
#include "distributions/flows/flow.hpp"
#include "distributions/flows/flow_distribution.hpp"
#include "distributions/flows/made.hpp"
#include "distributions/flows/planar.hpp"
#include "distributions/flows/sequence.hpp"
