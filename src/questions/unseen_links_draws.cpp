#include "questions/unseen_links_draws.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/rng.hpp"
#include "estimate/unseen_links.hpp"

namespace joindots::questions {

UnseenLinksMode parse_unseen_links_mode(const std::string& text) {
  if (text == "on") return UnseenLinksMode::on;
  if (text == "auto") return UnseenLinksMode::automatic;
  if (text == "off") return UnseenLinksMode::off;
  throw UsageError(fmt::format("--unseen-links: '{}' is not on, auto or off", text));
}

const char* to_string(UnseenLinksMode mode) {
  switch (mode) {
    case UnseenLinksMode::on:
      return "on";
    case UnseenLinksMode::automatic:
      return "auto";
    case UnseenLinksMode::off:
      break;
  }
  return "off";
}

std::int64_t missed_links_sample(double rate, double implied_matches) {
  if (!(rate > 0)) return std::llround(implied_matches);
  const double n = (1 - rate) / (rate * kMissedRateRelativeError * kMissedRateRelativeError);
  // Not under the split sample's minimum, which is about pairs drawn, not about a model's rate.
  return std::llround(std::max(std::min(n, implied_matches), static_cast<double>(estimate::kMinUnseenLinksSample)));
}

UnseenLinksSummary plan_unseen_links(UnseenLinksMode mode, const BlockingEstimates& link,
                                     const estimate::CaptureTable& reference, estimate::RecordsPerList per_list) {
  UnseenLinksSummary s;
  s.mode = to_string(mode);
  const double recall = link.recall;
  s.recall = recall;
  s.sample = link.recall_sample;
  s.split_sample = link.split_sample;
  s.split_apart = link.split_apart;
  s.missed_rate = link.missed_rate;
  s.missed_matches = link.missed_matches;
  // The latent-class model sees the matches the split sample cannot (those the model scores
  // under 0.5: a poorly recorded record's), and the blocking's among them: it goes first.
  if (link.missed_rate >= 0 && link.missed_matches > 0) {
    s.source = "latent_class";
    s.split_sample = missed_links_sample(link.missed_rate, link.missed_matches);
    s.split_apart = std::llround(link.missed_rate * static_cast<double>(s.split_sample));
  }
  s.per_list = std::move(per_list);
  s.persons_before = s.persons_after = reference.observed();
  if (mode == UnseenLinksMode::off) {
    s.reason = "turned off (--unseen-links off)";
    return s;
  }
  if (mode == UnseenLinksMode::automatic && recall >= kLowBlockingRecall) {
    s.reason = fmt::format("the estimated blocking recall {:.3f} is not below {} (--unseen-links auto)", recall,
                           kLowBlockingRecall);
    return s;
  }
  const auto c = estimate::correct_for_unseen_links(reference, s.split_rate(), s.split_sample, s.per_list);
  s.applied = c.applied;
  s.reason = c.reason;
  if (s.source == "latent_class" && !c.applied && s.split_apart == 0)
    s.reason = fmt::format("the latent-class model implies no true link left apart that a draw would not re-link "
                           "(rate {:.4f})",
                           s.missed_rate);
  s.persons_after = c.persons_after;
  return s;
}

double split_rate_of_draw(const UnseenLinksSummary& plan, std::uint64_t seed, int draw) {
  if (!plan.applied) return plan.split_rate();
  Rng rng(seed, "unseen-links-split-rate", static_cast<std::uint64_t>(draw));
  return estimate::draw_split_rate(plan.split_rate(), plan.split_sample, rng);
}

estimate::CaptureTable correct_with(const UnseenLinksSummary& plan, const estimate::CaptureTable& table,
                                    double rate) {
  if (!plan.applied) return table;
  return estimate::correct_for_unseen_links(table, rate, plan.split_sample, plan.per_list).table;
}

std::string unseen_links_text(const UnseenLinksSummary& s) {
  if (s.mode == "off") return "";
  if (s.source == "latent_class") {
    if (!s.applied) return fmt::format("true links left apart: not corrected ({})", s.reason);
    return fmt::format(
        "true links left apart that no draw re-links: {:.4f} of the {} matches a latent-class model implies among "
        "the pairs within an area (each record isolated with probability {:.4f}); {} of the {} persons taken for "
        "pieces of others; the victims' figure {:+.1f}%",
        s.missed_rate, with_commas(std::llround(s.missed_matches)), estimate::isolation_of_split_rate(s.split_rate()),
        s.persons_merged(), s.persons_before, 100 * s.effect);
  }
  if (!s.applied) return fmt::format("links blocking never compared: not corrected ({})", s.reason);
  return fmt::format(
      "links blocking never compared: {} of {} high-agreement sample pairs never compared and left apart (each "
      "record isolated with probability {:.4f}); {} of the {} persons taken for pieces of others; the victims' "
      "figure {:+.1f}%",
      s.split_apart, s.split_sample, estimate::isolation_of_split_rate(s.split_rate()), s.persons_merged(),
      s.persons_before, 100 * s.effect);
}

nlohmann::ordered_json UnseenLinksSummary::to_json() const {
  nlohmann::ordered_json j;
  j["mode"] = mode;
  j["applied"] = applied;
  j["reason"] = reason;
  j["recall"] = recall >= 0 ? nlohmann::ordered_json(recall) : nlohmann::ordered_json(nullptr);
  j["recall_sample"] = sample;
  j["split_sample"] = split_sample;
  j["split_apart"] = split_apart;
  j["split_rate"] = split_rate();
  j["source"] = source;
  j["missed_rate"] = missed_rate >= 0 ? nlohmann::ordered_json(missed_rate) : nlohmann::ordered_json(nullptr);
  j["missed_matches"] = missed_matches;
  j["isolation"] = estimate::isolation_of_split_rate(split_rate());
  j["persons"] = {{"before", persons_before}, {"after", persons_after}, {"merged", persons_merged()}};
  j["effect"] = std::isfinite(effect) ? nlohmann::ordered_json(effect) : nlohmann::ordered_json(nullptr);
  j["rule"] =
      "Each record of a person holding two or more is taken as isolated by blocking (compared with none of the "
      "person's other records, so a one-record person of its own) with probability q = 1 - sqrt(1 - s), s the "
      "share of the true pairs the link left apart that no draw re-links (source latent_class: a latent-class model "
      "of the record pairs within an area, its matches less those linked and those scored; source blocking_splits: "
      "the link's high-agreement random pairs never compared and left apart); with the link's records per "
      "list, the expected observed capture table is linear in the true one, and each draw's table is solved for "
      "it (Di Consiglio & Tuoto 2018), s drawn per draw as Binomial(n, s) / n (for the latent-class rate n gives "
      "it a relative error of 25%). Not applied with fewer than 100 sample pairs.";
  return j;
}

UnseenLinksSummary UnseenLinksSummary::from_json(const nlohmann::json& j) {
  UnseenLinksSummary s;
  s.mode = j.at("mode").get<std::string>();
  s.applied = j.at("applied").get<bool>();
  s.reason = j.at("reason").get<std::string>();
  s.recall = j.at("recall").is_number() ? j.at("recall").get<double>() : -1.0;
  s.sample = j.at("recall_sample").get<std::int64_t>();
  s.split_sample = j.value("split_sample", std::int64_t{0});
  s.split_apart = j.value("split_apart", std::int64_t{0});
  s.source = j.value("source", std::string("blocking_splits"));
  s.missed_rate = j.contains("missed_rate") && j.at("missed_rate").is_number() ? j.at("missed_rate").get<double>() : -1;
  s.missed_matches = j.value("missed_matches", 0.0);
  s.persons_before = j.at("persons").at("before").get<std::int64_t>();
  s.persons_after = j.at("persons").at("after").get<std::int64_t>();
  s.effect = j.at("effect").is_number() ? j.at("effect").get<double>() : std::nan("");
  return s;
}

}  // namespace joindots::questions
