#include "questions/linkage_subgroups.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "estimate/chapman.hpp"
#include "estimate/loglinear.hpp"

namespace joindots::questions {

namespace {

nlohmann::ordered_json interval_or_null(const estimate::Interval& i) {
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) return nullptr;
  return nlohmann::ordered_json::array({i.low, i.high});
}

estimate::Interval interval_from(const nlohmann::ordered_json& j) {
  estimate::Interval i;
  if (j.is_array() && j.size() == 2) i.low = j[0].get<double>(), i.high = j[1].get<double>();
  return i;
}

double geometric_mean(const std::vector<double>& values) {
  double sum = 0;
  int used = 0;
  for (double v : values)
    if (std::isfinite(v) && v > 0) sum += std::log(v), ++used;
  return used > 0 ? std::exp(sum / used) : std::nan("");
}

}  // namespace

nlohmann::ordered_json GroupLinkage::to_json() const {
  nlohmann::ordered_json j;
  j["draws"] = draws;
  j["estimate"] = combined.estimate;
  j["model_estimate"] = model_estimate;
  j["model_interval"] = interval_or_null(model_interval);
  j["correction"] = model_estimate > 0 ? combined.estimate / model_estimate - 1 : 0.0;
  j["linkage_share_of_width"] = combined.linkage_share;
  j["between_draw_sd_log"] = combined.between_sd_log;
  return j;
}

GroupLinkage GroupLinkage::from_json(const nlohmann::ordered_json& j) {
  GroupLinkage g;
  g.draws = j.at("draws").get<int>();
  g.model_estimate = j.at("model_estimate").get<double>();
  g.model_interval = interval_from(j.at("model_interval"));
  g.combined.linkage_share = j.at("linkage_share_of_width").get<double>();
  g.combined.between_sd_log = j.at("between_draw_sd_log").get<double>();
  g.combined.estimate = j.at("estimate").get<double>();
  return g;
}

TableEstimator refit_of(const estimate::EstimateResult& r, int lists, std::string* method) {
  for (const auto& m : r.methods) {
    // auto's estimate on a dense table: each heterogeneity form's best model refitted, averaged
    // by the weights they had on the headline's table.
    if (m.method != r.headline || !m.details.contains("forms") || !m.details["forms"].is_array()) continue;
    std::vector<std::pair<estimate::LogLinearModel, double>> forms;
    std::string names;
    for (const auto& f : m.details["forms"]) {
      forms.emplace_back(estimate::LogLinearModel::parse(f.at("model").get<std::string>(), lists),
                         f.at("weight_among_forms").get<double>());
      names += (names.empty() ? "" : ", ") + forms.back().first.to_string();
    }
    if (method) *method = "the headline's models of each heterogeneity form (" + names + "), refitted and averaged";
    return [forms](const estimate::CaptureTable& t) {
      double sum = 0, total = 0;
      for (const auto& [model, weight] : forms) {
        const auto fit = estimate::fit_loglinear(t, model);
        if (fit.ok()) sum += weight * fit.estimate, total += weight;
      }
      return std::pair{total > 0 ? sum / total : std::nan(""), estimate::Interval{}};
    };
  }
  for (const auto& m : r.methods) {
    if (m.method != r.headline || !m.details.contains("model") || !m.details["model"].is_string()) continue;
    const auto model = estimate::LogLinearModel::parse(m.details["model"].get<std::string>(), lists);
    if (method) *method = "the headline's log-linear model " + model.to_string() + ", refitted";
    return [model](const estimate::CaptureTable& t) {
      const auto fit = estimate::fit_loglinear(t, model);
      return std::pair{fit.ok() ? fit.estimate : std::nan(""), estimate::Interval{}};
    };
  }
  if (r.headline == "chapman" && lists == 2) {
    if (method) *method = "Chapman's estimator";
    return [](const estimate::CaptureTable& t) {
      try {
        const auto c = estimate::chapman(t);
        return std::pair{c.estimate, c.interval};
      } catch (const std::invalid_argument&) {
        return std::pair{std::nan(""), estimate::Interval{}};
      }
    };
  }
  return {};
}

std::vector<GroupLinkage> carry_draws_into_groups(const LinkageInput& in, const LinkageUncertainty& u,
                                                  const std::vector<VictimGroup>& groups, bool quiet) {
  if (u.draw_partitions.empty() || groups.empty()) return {};
  if (in.records.size() != in.list_of_record.size())
    throw InternalError("linkage draws for groups: the records were not read with the linkage input");
  const std::size_t n_draws = u.draw_partitions.size();
  std::vector<std::vector<double>> draws(groups.size(), std::vector<double>(n_draws, std::nan("")));
  std::vector<double> reference(groups.size(), std::nan("")), reference_corrected(groups.size(), std::nan(""));
  // Each draw's table corrected for links blocking never compared with the draw's own split rate, as
  // the victims' (unseen_links_draws.hpp).
  const auto& unseen = u.unseen_links;
  const bool correcting = unseen.applied && u.draw_split_rates.size() == n_draws;
  // One pass per partition: its persons are made once and every group's table taken from them.
  const bool with_reference = u.reproduces_link || correcting;
  Progress progress("linkage draws (groups)", "partitions", static_cast<std::int64_t>(n_draws + with_reference),
                    quiet);
  auto estimate_groups = [&](const std::vector<std::uint32_t>& partition, auto&& put) {
    const auto persons = persons_of_partition(in.records, partition, in.lists);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (!groups[g].refit || !std::isfinite(groups[g].estimate)) continue;
      std::vector<const PersonRow*> members;
      for (const auto& p : persons)
        if (groups[g].member(p)) members.push_back(&p);
      put(g, table_of(members, in.lists));
    }
    progress.advance();
  };
  if (with_reference)
    estimate_groups(u.reference_partition, [&](std::size_t g, const estimate::CaptureTable& t) {
      reference[g] = groups[g].refit(t).first;
      if (correcting) reference_corrected[g] = groups[g].refit(correct_with(unseen, t, unseen.split_rate())).first;
    });
  for (std::size_t d = 0; d < n_draws; ++d)
    estimate_groups(u.draw_partitions[d], [&](std::size_t g, const estimate::CaptureTable& t) {
      draws[g][d] = groups[g].refit(correcting ? correct_with(unseen, t, u.draw_split_rates[d]) : t).first;
    });
  progress.finish();

  std::vector<GroupLinkage> out(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    auto& o = out[g];
    o.model_estimate = groups[g].estimate;
    o.model_interval = groups[g].interval;
    o.combined.estimate = groups[g].estimate;
    o.combined.interval = groups[g].interval;
    if (!groups[g].refit || !std::isfinite(groups[g].estimate)) continue;
    o.draws = static_cast<int>(n_draws);
    // Without a like-with-like reference (see LinkageUncertainty::reproduces_link): the
    // draws' own centre, less the unseen links' correction, which is kept.
    double centre = u.reproduces_link ? reference[g] : geometric_mean(draws[g]);
    if (!u.reproduces_link && correcting && reference_corrected[g] > 0 && reference[g] > 0)
      centre /= reference_corrected[g] / reference[g];
    o.combined = combine_with_draws(groups[g].estimate, groups[g].interval, centre, draws[g]);
  }
  return out;
}

}  // namespace joindots::questions
