#include "estimate/unseen_links.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"

namespace joindots::estimate {

namespace {

void check(std::size_t cells, double q) {
  if (!(q >= 0 && q < 1)) throw std::invalid_argument(fmt::format("unseen links: isolation {} not in [0, 1)", q));
  if (cells < 2 || !std::has_single_bit(cells))
    throw std::invalid_argument("unseen links: the table's size is not a power of 2");
}

/// Per list: a = P(all its records isolated) and mu = E[records], for persons on two or more
/// lists; b and nu the same for persons on the list alone, counting only those with two or
/// more records (one record alone has nothing to be isolated from).
struct ListTerms {
  std::vector<double> a, mu, b, nu;
};

ListTerms list_terms(const RecordsPerList& per_list, std::size_t lists, double q) {
  ListTerms t{std::vector<double>(lists, q), std::vector<double>(lists, 1.0), std::vector<double>(lists, 0.0),
              std::vector<double>(lists, 0.0)};
  for (std::size_t j = 0; j < lists; ++j) {
    if (j < per_list.multi.size() && !per_list.multi[j].empty()) {
      t.a[j] = t.mu[j] = 0;
      for (std::size_t n = 1; n < per_list.multi[j].size(); ++n) {
        t.a[j] += per_list.multi[j][n] * std::pow(q, static_cast<double>(n));
        t.mu[j] += per_list.multi[j][n] * static_cast<double>(n);
      }
    }
    if (j < per_list.single.size())
      for (std::size_t n = 2; n < per_list.single[j].size(); ++n) {
        t.b[j] += per_list.single[j][n] * std::pow(q, static_cast<double>(n));
        t.nu[j] += per_list.single[j][n] * static_cast<double>(n);
      }
  }
  return t;
}

/// The expected number of pieces with lists `piece` from one person on lists `person`
/// (piece a subset of person).
double piece_coefficient(std::uint32_t piece, std::uint32_t person, double q, const ListTerms& t) {
  if (std::popcount(person) == 1) {
    const auto j = static_cast<std::size_t>(std::countr_zero(person));
    return 1 - t.b[j] + t.nu[j] * q;
  }
  double main = 1;
  for (std::uint32_t bits = person; bits != 0; bits &= bits - 1) {
    const auto j = static_cast<std::size_t>(std::countr_zero(bits));
    main *= (piece >> j) & 1U ? 1 - t.a[j] : t.a[j];
  }
  if (std::popcount(piece) == 1) main += t.mu[static_cast<std::size_t>(std::countr_zero(piece))] * q;
  return main;
}

int lists_of(std::size_t cells) { return std::bit_width(cells) - 1; }

}  // namespace

RecordsPerList records_per_list(const std::vector<std::uint32_t>& cluster,
                                const std::vector<std::uint32_t>& list_of_record, std::size_t lists) {
  std::uint32_t persons = 0;
  for (auto c : cluster) persons = std::max(persons, c + 1);
  std::vector<std::vector<std::uint32_t>> held(persons, std::vector<std::uint32_t>(lists, 0));
  for (std::size_t r = 0; r < cluster.size() && r < list_of_record.size(); ++r) ++held[cluster[r]][list_of_record[r]];
  RecordsPerList out{std::vector<std::vector<double>>(lists), std::vector<std::vector<double>>(lists)};
  for (const auto& h : held) {
    const auto on = std::count_if(h.begin(), h.end(), [](std::uint32_t n) { return n > 0; });
    for (std::size_t j = 0; j < lists; ++j) {
      if (h[j] == 0) continue;
      auto& shares = on >= 2 ? out.multi[j] : out.single[j];
      if (shares.size() <= h[j]) shares.resize(h[j] + 1, 0.0);
      shares[h[j]] += 1;
    }
  }
  for (auto* side : {&out.multi, &out.single})
    for (auto& shares : *side) {
      double total = 0;
      for (double c : shares) total += c;
      for (double& c : shares) c = total > 0 ? c / total : 0;
    }
  return out;
}

double isolation_of_split_rate(double split_rate) { return 1 - std::sqrt(1 - std::clamp(split_rate, 0.0, 1.0)); }

std::vector<double> isolation_expected(const std::vector<double>& true_counts, double q,
                                       const RecordsPerList& per_list) {
  check(true_counts.size(), q);
  const auto cells = static_cast<std::uint32_t>(true_counts.size());
  const auto terms = list_terms(per_list, static_cast<std::size_t>(lists_of(cells)), q);
  std::vector<double> expected(cells, 0.0);
  for (std::uint32_t t = 1; t < cells; ++t) {
    const std::uint32_t rest = (cells - 1) & ~t;
    // Every person's lists S containing T: T plus each subset of the other lists.
    for (std::uint32_t sub = rest;; sub = (sub - 1) & rest) {
      expected[t] += piece_coefficient(t, t | sub, q, terms) * true_counts[t | sub];
      if (sub == 0) break;
    }
  }
  return expected;
}

std::vector<double> isolation_inverse(const std::vector<double>& observed, double q, const RecordsPerList& per_list,
                                      bool clamp) {
  check(observed.size(), q);
  const auto cells = static_cast<std::uint32_t>(observed.size());
  const auto terms = list_terms(per_list, static_cast<std::size_t>(lists_of(cells)), q);
  std::vector<std::uint32_t> order;
  for (std::uint32_t t = 1; t < cells; ++t) order.push_back(t);
  std::stable_sort(order.begin(), order.end(),
                   [](std::uint32_t a, std::uint32_t b) { return std::popcount(a) > std::popcount(b); });
  std::vector<double> solved(cells, 0.0);
  for (std::uint32_t t : order) {
    const std::uint32_t rest = (cells - 1) & ~t;
    double from_larger = 0;
    for (std::uint32_t sub = rest; sub != 0; sub = (sub - 1) & rest)
      from_larger += piece_coefficient(t, t | sub, q, terms) * solved[t | sub];
    solved[t] = (observed[t] - from_larger) / piece_coefficient(t, t, q, terms);
    if (clamp) solved[t] = std::max(0.0, solved[t]);
  }
  return solved;
}

UnseenLinksCorrection correct_for_unseen_links(const CaptureTable& observed, double split_rate, std::int64_t sample,
                                               const RecordsPerList& per_list) {
  UnseenLinksCorrection c;
  c.split_rate = split_rate;
  c.sample = sample;
  c.table = observed;
  c.persons_before = c.persons_after = observed.observed();
  if (sample <= 0) {
    c.reason =
        "the link run saved no estimate of the true links it left apart (fewer than 1,000 record pairs within an "
        "area, no area recorded, a link in CSV mode, or a run from before these estimates: link again)";
  } else if (sample < kMinUnseenLinksSample) {
    c.reason = fmt::format("the split rate rests on {} sample pairs, fewer than {}", sample, kMinUnseenLinksSample);
  } else if (!(split_rate > 0)) {
    c.reason = "no high-agreement sample pair was both never compared and left apart";
  }
  if (!c.reason.empty()) return c;
  std::vector<double> counts(observed.counts.begin(), observed.counts.end());
  const auto solved = isolation_inverse(counts, isolation_of_split_rate(std::min(split_rate, 0.99)), per_list, true);
  std::vector<std::int64_t> rounded(solved.size(), 0);
  for (std::size_t i = 1; i < solved.size(); ++i) rounded[i] = std::llround(solved[i]);
  c.table = CaptureTable::from_counts(observed.lists, std::move(rounded));
  c.persons_after = c.table.observed();
  c.applied = true;
  return c;
}

double draw_split_rate(double split_rate, std::int64_t sample, Rng& rng) {
  if (sample <= 0 || !(split_rate >= 0)) return split_rate;
  return static_cast<double>(rng.binomial(sample, std::clamp(split_rate, 0.0, 1.0))) / static_cast<double>(sample);
}

}  // namespace joindots::estimate
