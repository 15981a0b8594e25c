#include "questions/caution.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "estimate/chapman.hpp"
#include "estimate/unseen_links.hpp"

namespace joindots::questions {

namespace {

constexpr double kLinkageShift = 0.03;     // |correction| at or above which linkage is said
constexpr double kLinkageShare = 0.25;     // share of the width at or above which linkage is said
constexpr double kThresholdSpread = 0.10;  // spread of the threshold curve, over the headline
// Share of the link's high-agreement sample pairs never compared and left apart at or above
// which blocking is said to fail: 0-1.8% on the simulator's countries with victim linkage F1
// 0.97-0.999 (12 links, session 14), 0.4-0.6% on an independent generator's at F1 0.96-0.99,
// 4.0% on its country with F1 0.82, whose figure came out more than twice the truth.
constexpr double kManyBlockingSplits = 0.025;
// A latent-class rate of missed matches (link/missed_links.hpp) at which the correction rests on
// the model more than the data can check: sound links of simulated countries 0.2-3%, an
// independent generator's well-recorded countries 1.5-2%, its poorly recorded ones 4-30%.
constexpr double kManyMissedLinks = 0.05;

bool finite_interval(const estimate::Interval& i) {
  return std::isfinite(i.low) && std::isfinite(i.high);
}

/// Figures in a caution are rounded to two significant figures: a caution is about size, and
/// the public tier must not get a figure finer than its rounded headline.
std::string figure(double v) {
  if (!std::isfinite(v) || v == 0) return thousands(v);
  const double step = std::pow(10.0, std::floor(std::log10(std::abs(v))) - 1);
  return thousands(std::round(v / step) * step);
}

std::string range(double low, double high) {
  return fmt::format("{}–{}", figure(low), figure(high));
}

std::string method_disagreement(const FourAnswers& a) {
  const auto& v = a.victims;
  if (!std::isfinite(v.estimate) || !finite_interval(v.interval)) return {};
  const estimate::MethodEstimate* worst = nullptr;
  double worst_gap = 0, low = v.interval.low, high = v.interval.high;
  for (const auto& m : a.victims_detail.methods) {
    if (m.method == a.victims_detail.headline || !std::isfinite(m.estimate) ||
        !finite_interval(m.interval))
      continue;
    const double gap = std::max(m.interval.low - v.interval.high, v.interval.low - m.interval.high);
    if (gap <= 0) continue;
    low = std::min(low, m.interval.low);
    high = std::max(high, m.interval.high);
    if (gap > worst_gap) worst_gap = gap, worst = &m;
  }
  if (!worst) return {};
  bool poor_fit = false;
  for (const auto& n : a.victims_detail.notes)  // the estimate's note on the headline's own model
    poor_fit = poor_fit || (n.starts_with(a.victims_detail.headline + ":") &&
                            n.find("fits poorly") != std::string::npos);
  return fmt::format(
      "Methods disagree: {} gives {} ({}), outside the headline's 95% interval ({}), so trust the "
      "headline's "
      "interval less than its width suggests: it leaves out which model is right{}, and the total "
      "could be "
      "anywhere from {} to {}.",
      worst->method, figure(worst->estimate), range(worst->interval.low, worst->interval.high),
      range(v.interval.low, v.interval.high),
      poor_fit ? " and its model fits the lists poorly" : "", figure(low), figure(high));
}

std::string linkage_matters(const FourAnswers& a) {
  if (!a.linkage) return {};
  const auto& u = *a.linkage;
  if (!(u.model_estimate > 0) || !std::isfinite(u.combined.estimate)) return {};
  if (!u.reproduces_link) {
    // A share, not the two counts: rounded to two figures they can print equal (1,900 against 1,900).
    const double gap = static_cast<double>(u.recluster_persons - u.link_persons) /
                       static_cast<double>(std::max<std::int64_t>(1, u.link_persons));
    return fmt::format(
        "Linkage error may be much larger than the interval shows: the link's saved pairs do not "
        "re-create its persons (re-clustered, they make {:.1f}% {} persons than the link did), so no correction "
        "for linkage error is made; trust the figure less and check the linkage (blocking, threshold, "
        "identifiers).",
        100 * std::abs(gap), gap > 0 ? "more" : "fewer");
  }
  const double shift = u.combined.estimate / u.model_estimate - 1;
  if (std::abs(shift) < kLinkageShift && u.combined.linkage_share < kLinkageShare) return {};
  return fmt::format(
      "Linkage error matters: taking every link decision as certain gives {}, the linkage draws {} "
      "({:.0f}% of "
      "the interval's width comes from linkage), so trust the uncorrected {} less: it counts {}.",
      figure(u.model_estimate), figure(u.combined.estimate), 100 * u.combined.linkage_share,
      figure(u.model_estimate),
      shift < 0 ? "each missed match as an extra child seen by one list"
                : "each false match as one child fewer");
}

std::string blocking_splits_many(const FourAnswers& a) {
  if (!a.linkage) return {};
  const auto& s = a.linkage->unseen_links;
  if (s.source == "latent_class") {
    if (!s.applied || s.missed_rate < kManyMissedLinks) return {};
    return fmt::format(
        "The linkage left many matches apart: a latent-class model of the record pairs within an area implies that "
        "{:.1f}% of the matches there are in two persons and would not be re-linked by any drawn linkage, most of "
        "them records whose names, dates and postcodes were recorded badly at once, where sound links of simulated "
        "countries leave 0.2-3%. The figure is corrected for them ({:+.1f}%), but the correction rests on that model "
        "(on an independent generator's countries it found about three quarters of such matches), so the total may "
        "still be too high: check the records' quality and the link before quoting it.",
        100 * s.missed_rate, 100 * s.effect);
  }
  if (s.split_sample < estimate::kMinUnseenLinksSample || s.split_rate() < kManyBlockingSplits) return {};
  return fmt::format(
      "The linkage may have missed many matches that nothing here can see: its blocking left {:.1f}% of the likely "
      "matches in a random sample of record pairs ({} of {}) never compared and in two persons, where sound links "
      "of simulated countries left 0-1.8%. The figure is corrected for those, but matches that are harder to "
      "recognise are missed more often still and are not corrected for, so the total is likely too high, perhaps "
      "by far (on an independently generated country with 4% the corrected figure was twice the truth): check the "
      "link's blocking rules and identifiers before quoting it.",
      100 * s.split_rate(), thousands(static_cast<double>(s.split_apart)),
      thousands(static_cast<double>(s.split_sample)));
}

std::string threshold_matters(const FourAnswers& a) {
  double low = INFINITY, high = -INFINITY, t_low = 0, t_high = 0;
  for (const auto& p : a.threshold_curve) {
    if (!std::isfinite(p.estimate)) continue;
    if (p.estimate < low) low = p.estimate, t_low = p.threshold;
    if (p.estimate > high) high = p.estimate, t_high = p.threshold;
  }
  if (!std::isfinite(low) || !(a.victims.estimate > 0) ||
      (high - low) / a.victims.estimate <= kThresholdSpread)
    return {};
  return fmt::format(
      "The total hangs on the match threshold: {} at {:.2g} against {} at {:.2g}, so trust any one "
      "figure less "
      "than its interval suggests: the linkage, not the sampling, limits what the lists can tell.",
      figure(low), t_low, figure(high), t_high);
}

/// A latent-class or logit-normal form's c-hat under the chosen model's by this factor fits
/// clearly better.
constexpr double kClearlyBetterFit = 1.25;

/// The headline's model fits the lists poorly (estimate/lack_of_fit.hpp): the interval was
/// widened for it, and where forms of unequal visibility that fit about as badly disagree,
/// to cover them.
std::string lack_of_fit_said(const FourAnswers& a) {
  const auto& d = a.victims_detail;
  if (!d.lack_of_fit) return {};
  double low = INFINITY, high = -INFINITY;
  // The best-fitting form that is not log-linear (a latent-class or the logit-normal one).
  double other = NAN, other_c_hat = INFINITY;
  std::string other_kind;
  for (const auto& m : d.methods)
    if (m.method == "loglinear_mata" && m.details.contains("forms_about_as_bad"))
      for (const auto& f : m.details["forms_about_as_bad"]) {
        const double e = f.value("estimate", NAN);
        if (std::isfinite(e)) low = std::min(low, e), high = std::max(high, e);
        const double c = f.value("c_hat", NAN);
        const std::string kind = f.value("heterogeneity", "");
        if ((kind == "latent_class" || kind == "logit_normal") && std::isfinite(e) && c < other_c_hat)
          other = e, other_c_hat = c, other_kind = kind;
      }
  const std::string forms =
      std::isfinite(low) && high > 1.05 * low
          ? fmt::format(", and forms of unequal visibility that fit about as badly give from {} to {}", figure(low),
                        figure(high))
          : "";
  // Groups seen by different lists (estimate/latent_class.hpp), or a visibility whose chance
  // saturates (estimate/logit_normal.hpp), fitting clearly better than the chosen model: the
  // likely cause, and a figure the headline's model cannot reach.
  std::string better;
  if (std::isfinite(other) && other_c_hat < d.lack_of_fit->c_hat / kClearlyBetterFit)
    better = other_kind == "latent_class"
                 ? fmt::format(
                       " A model of groups of children each seen by different lists fits the lists better "
                       "(deviance {:.1f} times, against {:.1f}) and gives {}: where one group is seen by few "
                       "lists, the lists cannot tell how large it is.",
                       other_c_hat, d.lack_of_fit->c_hat, figure(other))
                 : fmt::format(
                       " A model in which the most visible children are on nearly every list and the least "
                       "on none fits the lists better (deviance {:.1f} times, against {:.1f}) and gives {}: "
                       "the total then rests on how many children almost no list records, which the lists "
                       "cannot tell.",
                       other_c_hat, d.lack_of_fit->c_hat, figure(other));
  return fmt::format(
      "The models fit the lists poorly (the deviance is {:.1f} times what a fitting model gives){}: the interval "
      "is widened to allow for it. A total from models this far from the data depends on how unequal children's "
      "chances of being recorded are, which the lists cannot show, so trust the figure less than usual.{}",
      d.lack_of_fit->c_hat, forms, better);
}

/// Where the chosen model fits, a model taken into the interval (estimate/mata.cpp: a
/// logit-normal model BIC prefers, or another form's fitting as closely) that made an end and
/// gives a figure this far from the headline method's or more: the headline says so.
constexpr double kPreferredModelApart = 0.03;

/// Of the models the tail-area interval took in under `key` (estimate/mata.cpp), the one whose
/// estimate is farthest from the headline method's on the same table, when it lay outside the
/// interval before (it made an end) and is more than kPreferredModelApart off, and the chosen
/// model fits (these rules act only then). Compared with the method's own figure, not the
/// answer's: with `--db` the answer is corrected for links left apart after the models ran.
struct TakenIn {
  const nlohmann::ordered_json* model = nullptr;
  double apart = 0;  // its estimate over the headline method's, minus 1
};

TakenIn farthest_taken_in(const FourAnswers& a, const char* key) {
  const auto& d = a.victims_detail;
  if (d.lack_of_fit || !(a.victims.estimate > 0)) return {};
  double base = a.victims.estimate;
  for (const auto& m : d.methods)
    if (m.method == d.headline && m.estimate > 0) base = m.estimate;
  TakenIn out;
  for (const auto& m : d.methods)
    if (m.method == "loglinear_mata" && m.details.contains(key))
      for (const auto& f : m.details[key]) {
        const double apart = f.value("estimate", NAN) / base - 1;
        if (f.value("outside_interval", true) && std::abs(apart) > kPreferredModelApart &&
            std::abs(apart) > std::abs(out.apart))
          out = {&f, apart};
      }
  return out;
}

/// "9% above" / "12% below".
std::string apart_said(double apart) {
  return fmt::format("{:.0f}% {}", 100 * std::abs(apart), apart > 0 ? "above" : "below");
}

std::string preferred_model_said(const FourAnswers& a) {
  const auto p = farthest_taken_in(a, "logit_normal_preferred");
  if (!p.model) return {};
  return fmt::format(
      "A model in which the most visible children are on nearly every list and the least on none fits the lists "
      "better by the selection's own measure (BIC) and gives a total {} the headline's: the interval is "
      "widened to take it in, and the total rests on how many children almost no list records, which the lists "
      "cannot tell.",
      apart_said(p.apart));
}

/// Where the chosen model fits, another heterogeneity form's best model that fits the lists as
/// closely (estimate/mata.cpp, take_in_forms_fitting_as_closely) gives a figure this far from
/// the headline's or more (kPreferredModelApart): the interval was widened to take it in.
std::string closer_form_said(const FourAnswers& a) {
  const auto f = farthest_taken_in(a, "forms_fitting_as_closely");
  if (!f.model) return {};
  return fmt::format(
      "Another form of unequal visibility ({}) fits the lists as closely as the chosen model and gives a total {} "
      "the headline's: the selection kept the chosen model only for having fewer parameters, so the interval is "
      "widened to take it in; which form holds is what the lists cannot show.",
      f.model->value("heterogeneity", ""), apart_said(f.apart));
}

/// LCMCR's chains disagree (estimate/lcmcr.hpp): its posterior has more than one mode, so
/// its figure, headline or not, depends on where the sampler starts.
std::string lcmcr_modes(const FourAnswers& a) {
  for (const auto& m : a.victims_detail.methods) {
    if (m.method != "lcmcr" || !m.details.is_object() || !m.details.value("multimodal", false))
      continue;
    const auto& d = m.details["chain_summaries"]["disagreement"];
    const double one = d["half"].value("median", NAN), other = d["outside"].value("median", NAN);
    const std::string settle =
        std::isfinite(one) && std::isfinite(other)
            ? fmt::format(" (its chains settle near {} and near {})", figure(std::min(one, other)),
                          figure(std::max(one, other)))
            : "";
    const char* remedy =
        "more chains, a longer burn-in and a comparison with the log-linear estimates";
    if (a.victims_detail.headline == "lcmcr")
      return fmt::format(
          "The headline comes from LCMCR, whose posterior has more than one mode{}: the figure "
          "depends "
          "on where the sampler starts, so do not use it without {}.",
          settle, remedy);
    return fmt::format(
        "LCMCR's posterior has more than one mode{}: its figure depends on where the sampler "
        "starts, so "
        "do not weigh it against the headline without {}.",
        settle, remedy);
  }
  return {};
}

/// Said with every victims' estimate: the assumption no table of counts can test. A
/// behavioural response between lists (a first record making a later one on another list
/// more or less likely) leaves the table looking like ordinary list dependence, and models
/// fit it well while missing by a quarter or more. The figures are the study's
/// (docs/estimation.md, "Coverage across generating mechanisms"). Nothing the data hold
/// signals it reliably (ibid., "A mechanism the lists cannot reveal"), so there is no
/// stronger form of this caution yet. Its second sentence is the default country's own bias
/// at perfect linkage (ibid., "Why the default country runs low at perfect linkage"): the
/// form of the heterogeneity, which fitting models cannot tell apart at these sizes.
std::string behavioural_response_untestable(const FourAnswers& a) {
  if (!std::isfinite(a.victims.estimate) || !(a.victims.estimate > 0)) return {};
  return "Assumed, and not testable from these lists: being recorded by one agency does not in itself change a "
         "child's chance of being recorded by another beyond the ties between lists the model allows for; where it "
         "does, the lists show no sign of it and the total can be far off with a model that fits well (on "
         "simulated countries every method came out 25–40% too low when a first record made later ones more "
         "likely, and the log-linear ones 42–72% too high when it made them less likely). Nor can they test the "
         "form in which children's chances of being recorded differ: on the project's own simulated country, "
         "where the most visible children are on nearly every list, the models that fit came out 6–11% too low "
         "at every size (the average over their forms, this headline's figure, about 4% too low at 5,000 "
         "children and 10% at 450,000), and from 100,000 children up their intervals missed the truth one time in "
         "three.";
}

/// Two lists (Chapman's figure): the interval is the sampling error alone, and the two
/// assumptions it rests on are exactly the ones two lists cannot test. Measured on every pair
/// of source types of simulated countries (docs/estimation.md, "Two lists: what the interval
/// leaves out"): the figure is mostly far below the truth with an interval of a few percent.
std::string two_lists_untestable(const FourAnswers& a) {
  if (a.lists.size() != 2 || !std::isfinite(a.victims.estimate) || !(a.victims.estimate > 0)) return {};
  return fmt::format(
      "Only two lists: the total assumes that being on one list makes a child neither more nor less likely to be on "
      "the other, and that every child is equally likely to be on each; two lists cannot test either, and the "
      "interval leaves both out ({}). Trust the figure as a rough order of size, and add a third list.",
      estimate::kTwoListsMeasured);
}

/// Each link warning's code (link/diagnose.cpp) in plain words, without its figures (the
/// public tier gets this sentence too); an unknown code is named as it is.
std::string link_warning_words(const std::string& code) {
  static const std::map<std::string, std::string> words = {
      {"low_blocking_recall", "its blocking rules leave some true pairs never compared"},
      {"cluster_too_large", "some of its persons hold more records than the sources allow"},
      {"match_share", "it linked far more or fewer pairs than its model expects"},
      {"prior_implausible", "its model expects more matches than the records allow"},
      {"em_not_converged", "its model did not converge"},
      {"m_below_u", "a field it compares carries no weight"},
      {"rule_without_names", "a blocking rule without names supplies most of its pairs"},
      {"few_non_matches", "its model saw almost no non-matches"},
      {"namesakes", "its links may join different children who share a common name"}};
  const auto it = words.find(code);
  return it != words.end() ? it->second : code;
}

std::string link_warned(const FourAnswers& a, const std::vector<std::string>& codes) {
  if (codes.empty() || !std::isfinite(a.victims.estimate)) return {};
  std::vector<std::string> said;
  for (const auto& c : codes)
    if (auto w = link_warning_words(c); std::find(said.begin(), said.end(), w) == said.end()) said.push_back(w);
  return fmt::format(
      "The link that made these persons warned: {}. The persons may then be too many or too few, and "
      "capture-recapture magnifies either (each missed match counts as one more child seen by one list, which the "
      "models read as a sign of many unseen), so trust the figure less until the link is checked (`joindots link` "
      "prints each warning with a change of configuration).",
      fmt::join(said, "; "));
}

}  // namespace

std::string thousands(double value) {
  if (!std::isfinite(value)) return "-";
  const std::string digits = fmt::format("{:.0f}", std::abs(value));
  std::string out = value <= -0.5 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::vector<std::string> headline_cautions(const FourAnswers& a, const std::vector<std::string>& link_warnings) {
  std::vector<std::string> out;
  for (auto s : {lack_of_fit_said(a), preferred_model_said(a), closer_form_said(a), method_disagreement(a),
                 lcmcr_modes(a), linkage_matters(a), blocking_splits_many(a), threshold_matters(a),
                 link_warned(a, link_warnings), two_lists_untestable(a), behavioural_response_untestable(a)})
    if (!s.empty()) out.push_back(std::move(s));
  return out;
}

}  // namespace joindots::questions
