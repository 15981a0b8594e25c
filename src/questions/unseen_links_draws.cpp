#include "questions/unseen_links_draws.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
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

UnseenLinksSummary plan_unseen_links(UnseenLinksMode mode, double recall, std::int64_t sample,
                                     const estimate::CaptureTable& reference) {
  UnseenLinksSummary s;
  s.mode = to_string(mode);
  s.recall = recall;
  s.sample = sample;
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
  const auto c = estimate::correct_for_unseen_links(reference, recall, sample);
  s.applied = c.applied;
  s.reason = c.reason;
  s.persons_after = c.persons_after;
  return s;
}

double recall_of_draw(const UnseenLinksSummary& plan, std::uint64_t seed, int draw) {
  if (!plan.applied) return plan.recall;
  Rng rng(seed, "unseen-links-recall", static_cast<std::uint64_t>(draw));
  return estimate::draw_recall(plan.recall, plan.sample, rng);
}

estimate::CaptureTable correct_with(const UnseenLinksSummary& plan, const estimate::CaptureTable& table,
                                    double recall) {
  if (!plan.applied) return table;
  return estimate::correct_for_unseen_links(table, recall, plan.sample).table;
}

std::string unseen_links_text(const UnseenLinksSummary& s) {
  if (s.mode == "off") return "";
  if (!s.applied) return fmt::format("links blocking never compared: not corrected ({})", s.reason);
  return fmt::format(
      "links blocking never compared: estimated blocking recall {:.3f} (of {} sample pairs); {} of the {} persons "
      "taken for pieces of others; the victims' figure {:+.1f}%",
      s.recall, s.sample, s.persons_merged(), s.persons_before, 100 * s.effect);
}

nlohmann::ordered_json UnseenLinksSummary::to_json() const {
  nlohmann::ordered_json j;
  j["mode"] = mode;
  j["applied"] = applied;
  j["reason"] = reason;
  j["recall"] = recall >= 0 ? nlohmann::ordered_json(recall) : nlohmann::ordered_json(nullptr);
  j["recall_sample"] = sample;
  j["persons"] = {{"before", persons_before}, {"after", persons_after}, {"merged", persons_merged()}};
  j["effect"] = std::isfinite(effect) ? nlohmann::ordered_json(effect) : nlohmann::ordered_json(nullptr);
  j["rule"] =
      "Each true link between a person's records is taken as missed by blocking with probability 1 - r (r the "
      "link's estimated blocking recall), splitting the person into the connected pieces; the expected observed "
      "capture table is then linear in the true one, and each draw's table is solved for it (Di Consiglio & Tuoto "
      "2018), r drawn per draw as Binomial(n, r) / n. Not applied with fewer than 100 sample pairs.";
  return j;
}

UnseenLinksSummary UnseenLinksSummary::from_json(const nlohmann::json& j) {
  UnseenLinksSummary s;
  s.mode = j.at("mode").get<std::string>();
  s.applied = j.at("applied").get<bool>();
  s.reason = j.at("reason").get<std::string>();
  s.recall = j.at("recall").is_number() ? j.at("recall").get<double>() : -1.0;
  s.sample = j.at("recall_sample").get<std::int64_t>();
  s.persons_before = j.at("persons").at("before").get<std::int64_t>();
  s.persons_after = j.at("persons").at("after").get<std::int64_t>();
  s.effect = j.at("effect").is_number() ? j.at("effect").get<double>() : std::nan("");
  return s;
}

}  // namespace joindots::questions
