#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "estimate/estimate_methods.hpp"
#include "estimate/lack_of_fit.hpp"
#include "estimate/latent_class.hpp"
#include "estimate/logit_normal.hpp"

namespace joindots::estimate {

// The model-averaged tail-area interval over the plain and heterogeneity models (auto's
// headline for three or more lists; docs/estimation.md, "What auto does, and why"). The
// weights are BIC's, except that a model carrying a heterogeneity term is not charged for
// that term's parameter: visibility varies between people in every such population, and a
// term the lists are too few to confirm must still widen the interval (the coverage study).
// Interactions are charged as usual.
//
// `dispersion` (c-hat > 1 where the chosen model fits the lists poorly; lack_of_fit.hpp)
// makes both parts quasi-likelihood (Anderson, Burnham & White 1994): the weights are
// QBIC's, -2 l / c-hat + parameters log(n), and every profile deviance is divided by c-hat.
// Models that fit about equally badly then share the weight, and the interval is no
// narrower than their disagreement (issue 11: at 1 M records BIC put all the weight on one
// heterogeneity form, 10% below the truth, while another form that fits nearly as badly
// covered it).
std::optional<MethodEstimate> run_mata(const CaptureTable& table, const ModelSelection& sel, double level,
                                       double heterogeneity_charge, double dispersion) {
  constexpr std::size_t kMaxModels = 200;
  const double log_n = std::log(static_cast<double>(table.observed()));
  const double c_hat = std::max(1.0, dispersion);
  std::vector<double> ic(sel.ranked.size());
  for (std::size_t i = 0; i < ic.size(); ++i)
    ic[i] = sel.ranked[i].bic + 2.0 * sel.ranked[i].loglik * (1.0 - 1.0 / c_hat) -
            (sel.ranked[i].model.heterogeneity() != Heterogeneity::None ? (1.0 - heterogeneity_charge) * log_n : 0.0);
  std::vector<std::size_t> order(ic.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto x, auto y) { return ic[x] < ic[y]; });
  if (order.empty()) return std::nullopt;
  // The chosen model (sel.ranked's first) is always averaged: the headline's estimate comes
  // from it, and must come from the same set of models as the interval.
  const auto chosen_at = std::find(order.begin(), order.end(), std::size_t{0});
  std::rotate(order.begin(), chosen_at, chosen_at + 1);
  const double min_ic = *std::min_element(ic.begin(), ic.end());
  double total = 0;
  for (double v : ic) total += std::exp(-0.5 * (v - min_ic));
  std::vector<LogLinearFit> fits;
  std::vector<double> weights;
  fits.reserve(kMaxModels);
  double kept = 0;
  std::size_t negative = 0;
  for (std::size_t i : order) {
    const double w = std::exp(-0.5 * (ic[i] - min_ic)) / total;
    if (i != 0 && (w < 1e-4 || fits.size() == kMaxModels)) break;
    auto f = fit_loglinear(table, sel.ranked[i].model);
    if (!f.ok()) continue;
    // A negative coefficient on the (convex) heterogeneity column means lists less alike
    // than independence allows, not people differing in visibility: not a heterogeneity
    // model, and it would pull the interval down for the wrong reason. (The heterogeneity
    // search leaves such models out already; this guards a selection made without it.)
    if (negative_heterogeneity(f)) {
      ++negative;
      continue;
    }
    fits.push_back(std::move(f));
    weights.push_back(w);
    kept += w;
  }
  if (fits.empty()) return std::nullopt;
  std::vector<WeightedFit> wf;
  for (std::size_t i = 0; i < fits.size(); ++i) wf.push_back({&fits[i], weights[i]});
  const auto iv = mata_interval(table, wf, level, c_hat);
  MethodEstimate m;
  m.method = "loglinear_mata";
  m.estimate = iv.profile_mle;
  m.interval = {iv.low, iv.high, level,
                c_hat > 1 ? fmt::format("model-averaged tail-area profile-likelihood interval (MATA), quasi-likelihood "
                                        "for lack of fit (c-hat {:.2f}: QBIC weights, deviances divided by c-hat)",
                                        c_hat)
                          : std::string("model-averaged tail-area profile-likelihood interval (MATA)")};
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  double heterogeneity_weight = 0;
  std::vector<std::size_t> by_weight(fits.size());
  for (std::size_t i = 0; i < fits.size(); ++i) {
    by_weight[i] = i;
    if (fits[i].model.heterogeneity() != Heterogeneity::None) heterogeneity_weight += weights[i] / kept;
  }
  std::stable_sort(by_weight.begin(), by_weight.end(), [&](auto x, auto y) { return weights[x] > weights[y]; });
  for (std::size_t i : by_weight) {
    if (top.size() == kTopModelsShown) break;
    top.push_back(
        {{"model", fits[i].model.to_string()}, {"estimate", fits[i].estimate}, {"weight", weights[i] / kept}});
  }
  m.details = {{"estimate_kind", "median of the model-averaged confidence distribution"},
               {"interval_kind", m.interval.kind},
               {"weights", c_hat > 1 ? "QBIC (quasi-likelihood, c-hat of the chosen model), the heterogeneity term's "
                                       "parameter not charged"
                                     : "BIC, the heterogeneity term's parameter not charged"},
               {"dispersion", c_hat},
               {"models_averaged", fits.size()},
               {"weight_kept", kept},
               {"weight_with_heterogeneity", heterogeneity_weight},
               {"chosen_model", fits.front().model.to_string()},
               {"chosen_model_weight", weights.front() / kept},
               {"models_with_negative_heterogeneity_left_out", negative},
               {"top_models", top},
               {"source", "Fletcher & Turek (2012), model-averaged profile likelihood intervals; Turek & Fletcher "
                          "(2012); heterogeneity terms Darroch, Fienberg, Glonek & Junker (1993)"}};
  if (fits.front().model != sel.best().model) m.details["chosen_model_left_out"] = sel.best().model.to_string();
  return m;
}

// Under lack of fit, the heterogeneity forms (none, Poisson2, Darroch, Gamma3.5) that fit
// the lists about as badly as the chosen model (c-hat at most kAboutAsBadly times its own)
// are not told apart by the data: which form is right is what the lists cannot show when
// visibility varies (Link 2003, Biometrics 59:1123), and at national scale the forms'
// estimates differ by far more than any one's interval. The headline's interval is
// widened to take in each such form's best model's estimate: no narrower than the
// disagreement between models that fit about equally badly. The logit-normal and
// latent-class models join them (below). Returns the forms taken in, with their estimates
// and, for the log-linear ones, quasi-likelihood profile intervals (their own c-hat; shown,
// not used: a weakly identified form's interval can be very wide on a small table).
std::vector<FormInterval> forms_about_as_bad(const CaptureTable& table, const ModelSelection& sel, double chosen_c_hat,
                                             double level) {
  constexpr double kAboutAsBadly = 1.5;
  std::vector<FormInterval> out;
  // The chosen model's interactions and each form's below, for the logit-normal form.
  std::vector<LogLinearModel> interactions = {sel.best().model.with_heterogeneity(Heterogeneity::None)};
  for (auto form : {Heterogeneity::None, Heterogeneity::Poisson2, Heterogeneity::Darroch, Heterogeneity::Gamma35}) {
    const RankedModel* best = nullptr;
    for (const auto& r : sel.ranked)
      if (r.model.heterogeneity() == form && (!best || r.bic < best->bic)) best = &r;
    if (!best || best->df <= 0) continue;
    const double c = std::max(1.0, best->deviance / best->df);
    if (c > kAboutAsBadly * std::max(1.0, chosen_c_hat)) continue;
    const auto fit = fit_loglinear(table, best->model);
    if (!fit.ok() || negative_heterogeneity(fit)) continue;
    const auto iv = mata_interval(table, {{&fit, 1.0}}, level, c);
    if (const auto m = best->model.with_heterogeneity(Heterogeneity::None);
        std::ranges::find(interactions, m) == interactions.end())
      interactions.push_back(m);
    out.push_back({form,
                   best->model.to_string(),
                   fit.estimate,
                   c,
                   {iv.low, iv.high, level, "quasi-likelihood profile"},
                   0,
                   to_string(form)});
  }
  // The logit-normal form (logit_normal.hpp): a visibility whose chance saturates, so the
  // most visible are on nearly every list, which the forms above do not allow. It has no
  // search of its own: it borrows the interactions of the chosen model and of each form's
  // best model above (at a million records they differ, and so do its estimates with them).
  if (logit_normal_fits(table.k())) {
    for (const auto& model : interactions) {
      const auto ln = fit_logit_normal(table, model);
      if (!ln.usable()) continue;
      // At least as good a fit as the chosen model's, not merely about as bad: its sd is free to
      // put any number of children out of every list's sight (Link 2003), and on the simulator's
      // log-normal visibility at 100,000 children fits 1.3 times worse than the chosen model
      // gave 1.4 times the truth (docs/estimation.md, item 4).
      const double c = std::max(1.0, ln.deviance / ln.df);
      if (c > std::max(1.0, chosen_c_hat)) continue;
      out.push_back({Heterogeneity::None,
                     logit_normal_label(model, ln),
                     ln.estimate,
                     c,
                     {NAN, NAN, level, "none: the estimate only"},
                     0,
                     "logit_normal"});
    }
  }
  // The latent-class models of two and three classes (latent_class.hpp): visibility that
  // differs by list between groups, which none of the forms above can take (each gives every
  // list the same visibility). A fit whose unseen count runs off (a class seen by no list) is
  // left out: the lists then do not bound N above under it. Up to six lists (EM's cost grows
  // with the 2^K cells; the dense tables of this rule have four to six).
  constexpr int kLatentClassMaxLists = 6;
  for (int classes : {2, 3}) {
    if (table.k() > kLatentClassMaxLists || !latent_class_identifiable(table.k(), classes)) continue;
    const auto lc = fit_latent_class(table, classes);
    if (lc.df <= 0 || !lc.bounded || !std::isfinite(lc.estimate) || !std::isfinite(lc.deviance)) continue;
    const double c = std::max(1.0, lc.deviance / lc.df);
    if (c > kAboutAsBadly * std::max(1.0, chosen_c_hat)) continue;
    out.push_back({Heterogeneity::None,
                   fmt::format("{} latent classes", classes),
                   lc.estimate,
                   c,
                   {NAN, NAN, level, "none: the estimate only"},
                   classes,
                   "latent_class",
                   lc.share,
                   lc.chance});
  }
  return out;
}

namespace {
bool outside(const Interval& interval, double value) { return value < interval.low || value > interval.high; }

// The interval widened to [low, high] where that is wider, the kind saying why.
void widen_to_take_in(MethodEstimate& mata, double low, double high, const char* why) {
  if (low >= mata.interval.low && high <= mata.interval.high) return;
  mata.interval.low = std::min(low, mata.interval.low);
  mata.interval.high = std::max(high, mata.interval.high);
  mata.interval.kind += fmt::format("; widened to take in {}", why);
  mata.details["interval_kind"] = mata.interval.kind;
}
}  // namespace

// Where the chosen model fits (no lack of fit), a logit-normal model the selection's own
// criterion prefers to it: its BIC (G^2 + parameters log n, the heterogeneity's sd charged)
// below the chosen model's. Had it been among the candidates it would have been chosen, so
// the interval takes in its estimate. Two fits: the chosen model's interactions, and main
// effects alone (a visibility that saturates can mimic many interactions: on the simulator's
// visibility-only country at 100,000 children the chosen model carried them and ran 5% low
// with an interval of 3.4%, where the main-effects logit-normal model fits and gives the truth
// within 3%).
void take_in_logit_normal_preferred(const CaptureTable& table, const ModelSelection& sel, MethodEstimate& mata) {
  if (!logit_normal_fits(table.k())) return;
  const auto& b = sel.best();
  const double log_n = std::log(static_cast<double>(table.observed()));
  nlohmann::ordered_json preferred = nlohmann::ordered_json::array();
  double low = mata.interval.low, high = mata.interval.high;
  std::vector<LogLinearModel> interactions = {b.model.with_heterogeneity(Heterogeneity::None)};
  if (interactions.front() != LogLinearModel(table.k())) interactions.emplace_back(table.k());
  for (const auto& model : interactions) {
    const auto ln = fit_logit_normal(table, model);
    if (!ln.usable()) continue;
    const double bic =
        b.bic - b.deviance + ln.deviance + (static_cast<double>(model.terms().size() + 1) - b.parameters) * log_n;
    if (bic >= b.bic) continue;
    preferred.push_back({{"model", logit_normal_label(model, ln)},
                         {"estimate", ln.estimate},
                         {"bic", bic},
                         {"chosen_bic", b.bic},
                         {"outside_interval", outside(mata.interval, ln.estimate)}});
    low = std::min(low, ln.estimate), high = std::max(high, ln.estimate);
  }
  if (preferred.empty()) return;
  mata.details["logit_normal_preferred"] = preferred;
  widen_to_take_in(mata, low, high, "a logit-normal model that BIC prefers to the chosen one");
}

// Where the chosen model fits (no lack of fit), the best model of another heterogeneity form
// that fits the lists at least as closely (deviance per degree of freedom no larger): the data
// do not rule it out, the selection preferred the chosen one for its fewer parameters only, a
// preference BIC weighs more as the lists grow (log n a parameter) while the forms' estimates
// stay apart. On the simulator's strong referral chains at 100,000 children the chosen
// Darroch model ran 12-14% low with an interval of 10%, while a Gamma3.5 model fitting more
// closely gave the truth within 3% at a BIC weight of 0.2-1% (docs/estimation.md, item 6).
// Only where deviances may be read as chi-square (lack_of_fit.hpp), as for the lack of fit.
void take_in_forms_fitting_as_closely(const CaptureTable& table, const ModelSelection& sel, MethodEstimate& mata) {
  const auto& b = sel.best();
  if (b.df <= 0 || !deviance_is_chi_square(table)) return;
  nlohmann::ordered_json taken = nlohmann::ordered_json::array();
  double low = mata.interval.low, high = mata.interval.high;
  for (const RankedModel* r : sel.best_of_each_form()) {
    if (r == &b || r->df <= 0 || !std::isfinite(r->estimate) || r->deviance / r->df > b.deviance / b.df) continue;
    taken.push_back({{"heterogeneity", to_string(r->model.heterogeneity())},
                     {"model", r->model.to_string()},
                     {"estimate", r->estimate},
                     {"deviance", r->deviance},
                     {"df", r->df},
                     {"chosen_deviance", b.deviance},
                     {"chosen_df", b.df},
                     {"outside_interval", outside(mata.interval, r->estimate)}});
    low = std::min(low, r->estimate), high = std::max(high, r->estimate);
  }
  if (taken.empty()) return;
  mata.details["forms_fitting_as_closely"] = taken;
  widen_to_take_in(mata, low, high, "another form's model that fits the lists as closely");
}

nlohmann::ordered_json latent_groups_json(const FormInterval& f, const std::vector<std::string>& lists) {
  auto mean_chance = [&](std::size_t g) {
    double m = 0;
    for (double c : f.class_chance[g]) m += c;
    return m;
  };
  std::vector<std::size_t> order(f.class_share.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::sort(order, [&](std::size_t a, std::size_t b) { return mean_chance(a) < mean_chance(b); });
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (std::size_t g : order) {
    nlohmann::ordered_json chance = nlohmann::ordered_json::object();
    for (std::size_t j = 0; j < lists.size() && j < f.class_chance[g].size(); ++j)
      chance[lists[j]] = f.class_chance[g][j];
    groups.push_back({{"share", f.class_share[g]}, {"chance", chance}});
  }
  return groups;
}

}  // namespace joindots::estimate
