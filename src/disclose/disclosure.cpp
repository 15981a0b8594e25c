#include "disclose/disclosure.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace joindots::disclose {

std::int64_t round_to_base(std::int64_t value, std::int64_t base) {
  if (base <= 1) return value;
  const std::int64_t sign = value < 0 ? -1 : 1;
  const std::int64_t a = value * sign;
  return sign * ((a + base / 2) / base) * base;
}

namespace {

void check(const Release& release) {
  for (auto v : release.values)
    if (v < 0) throw std::invalid_argument("disclosure control: negative count");
  for (const auto& r : release.relations) {
    if (r.total >= release.values.size())
      throw std::invalid_argument("disclosure control: relation total out of range");
    for (auto p : r.parts)
      if (p >= release.values.size()) throw std::invalid_argument("disclosure control: relation part out of range");
  }
}

std::vector<PublishedCell> primary(const Release& release, const Rules& rules) {
  std::vector<PublishedCell> out(release.values.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto v = release.values[i];
    if (v > 0 && v < rules.threshold) {
      out[i].status = CellStatus::Primary;
    } else {
      out[i].value = round_to_base(v, rules.base);
    }
  }
  return out;
}

}  // namespace

AuditResult audit(const std::vector<PublishedCell>& published, const std::vector<Relation>& relations,
                  const Rules& rules) {
  AuditResult result;
  const double half = static_cast<double>(rules.base / 2);
  result.bounds.resize(published.size());
  for (std::size_t i = 0; i < published.size(); ++i) {
    auto& b = result.bounds[i];
    const auto& c = published[i];
    if (c.suppressed()) {
      b = {0, std::numeric_limits<double>::infinity()};
    } else if (c.value == 0) {
      b = {0, 0};  // zero is published exactly
    } else {
      b = {std::max(static_cast<double>(rules.threshold), static_cast<double>(c.value) - half),
           static_cast<double>(c.value) + half};
    }
  }
  // Propagate total = sum(parts) until no interval tightens.
  for (int sweep = 0; sweep < 1000; ++sweep) {
    bool changed = false;
    auto tighten = [&](Interval& b, double lo, double hi) {
      if (lo > b.lo + 1e-9) {
        b.lo = lo;
        changed = true;
      }
      if (hi < b.hi - 1e-9) {
        b.hi = hi;
        changed = true;
      }
    };
    for (const auto& r : relations) {
      // Sums over the parts, keeping unbounded upper ends apart so that inf - inf never occurs.
      double sum_lo = 0, sum_hi_finite = 0;
      int unbounded = 0;
      for (auto p : r.parts) {
        sum_lo += result.bounds[p].lo;
        if (std::isinf(result.bounds[p].hi)) ++unbounded;
        else sum_hi_finite += result.bounds[p].hi;
      }
      const double inf = std::numeric_limits<double>::infinity();
      auto& t = result.bounds[r.total];
      tighten(t, sum_lo, unbounded ? inf : sum_hi_finite);
      for (auto p : r.parts) {
        auto& b = result.bounds[p];
        const bool self_unbounded = std::isinf(b.hi);
        const double others_lo = sum_lo - b.lo;
        const int others_unbounded = unbounded - (self_unbounded ? 1 : 0);
        const double others_hi = others_unbounded ? inf : sum_hi_finite - (self_unbounded ? 0 : b.hi);
        const double hi = t.hi - others_lo;                          // inf stays inf
        const double lo = std::isinf(others_hi) ? b.lo : t.lo - others_hi;
        tighten(b, std::max(b.lo, lo), hi);
      }
    }
    if (!changed) break;
  }
  for (std::size_t i = 0; i < published.size(); ++i)
    if (published[i].suppressed() && result.bounds[i].width() < static_cast<double>(rules.min_width))
      result.leaks.push_back(i);
  return result;
}

namespace {

/// The cheapest published cell offered so far, the one whose suppression loses least:
/// parts before totals, then the smallest true value. The leak itself, cells already
/// suppressed and published zeros are never taken.
class CheapestCell {
 public:
  CheapestCell(const Release& release, const std::vector<PublishedCell>& out, const std::vector<bool>& is_total,
               std::size_t leak)
      : release_(release), out_(out), is_total_(is_total), leak_(leak) {}

  void offer(std::size_t c) {
    if (c == leak_ || out_[c].suppressed() || release_.values[c] == 0) return;
    if (!best_ || key(c) < key(*best_)) best_ = c;
  }
  [[nodiscard]] std::optional<std::size_t> best() const { return best_; }

 private:
  [[nodiscard]] std::pair<bool, std::int64_t> key(std::size_t i) const { return {is_total_[i], release_.values[i]}; }

  const Release& release_;
  const std::vector<PublishedCell>& out_;
  const std::vector<bool>& is_total_;
  std::size_t leak_;
  std::optional<std::size_t> best_;
};

/// Widens the neighbourhood of `leak` one relation at a time (cells sharing a relation with
/// a cell already reached) and offers each new cell to `cheapest`; stops at the first ring
/// that yields a candidate; failing any, the first published zero reached (zeros pin their
/// relations exactly).
std::optional<std::size_t> cheapest_further_out(const Release& release, const std::vector<PublishedCell>& out,
                                                std::size_t leak, CheapestCell& cheapest) {
  std::vector<bool> reached(out.size(), false);
  std::optional<std::size_t> zero;  // a published zero reached: a pin when nothing else is left
  std::vector<std::size_t> ring{leak};
  reached[leak] = true;
  while (!cheapest.best() && !ring.empty()) {
    std::vector<bool> in_ring(out.size(), false);
    for (auto c : ring) in_ring[c] = true;
    std::vector<std::size_t> next;
    for (const auto& r : release.relations) {
      bool touches = in_ring[r.total];
      for (auto p : r.parts) touches = touches || in_ring[p];
      if (!touches) continue;
      auto reach = [&](std::size_t c) {
        if (reached[c]) return;
        reached[c] = true;
        next.push_back(c);
        cheapest.offer(c);
        if (!zero && !out[c].suppressed()) zero = c;  // offer() skips published zeros
      };
      reach(r.total);
      for (auto p : r.parts) reach(p);
    }
    ring = std::move(next);
  }
  return cheapest.best() ? cheapest.best() : zero;
}

}  // namespace

std::vector<PublishedCell> protect(const Release& release, const Rules& rules) {
  check(release);
  auto out = primary(release, rules);
  std::vector<bool> is_total(release.values.size(), false);
  for (const auto& r : release.relations) is_total[r.total] = true;
  for (std::size_t round = 0; round <= release.values.size(); ++round) {
    const auto result = audit(out, release.relations, rules);
    if (result.safe()) return out;
    // Protect the first leaking cell: in a relation containing it, suppress the published
    // cell whose loss costs least (smallest true value; parts before totals).
    const std::size_t leak = result.leaks.front();
    CheapestCell cheapest(release, out, is_total, leak);
    for (const auto& r : release.relations) {
      const bool contains = r.total == leak || std::find(r.parts.begin(), r.parts.end(), leak) != r.parts.end();
      if (!contains) continue;
      cheapest.offer(r.total);
      for (auto p : r.parts) cheapest.offer(p);
    }
    std::optional<std::size_t> best = cheapest.best();
    if (!best) {
      // Nothing left to suppress beside it: suppress every published cell in its relations
      // (they can only be zeros left).
      bool changed = false;
      for (const auto& r : release.relations) {
        const bool contains = r.total == leak || std::find(r.parts.begin(), r.parts.end(), leak) != r.parts.end();
        if (!contains) continue;
        auto suppress = [&](std::size_t c) {
          if (out[c].suppressed()) return;
          out[c] = {CellStatus::Secondary, 0};
          changed = true;
        };
        for (auto c : r.parts) suppress(c);
        suppress(r.total);
      }
      if (changed) continue;
      // All of them suppressed already: the leak is pinned from further out (a suppressed
      // total fixed by a published relation it is a part of). Look outward, relation by
      // relation, for the cheapest published cell.
      best = cheapest_further_out(release, out, leak, cheapest);
      if (!best) break;
    }
    out[*best] = {CellStatus::Secondary, 0};
  }
  throw std::logic_error("disclosure control: secondary suppression did not converge");
}

std::pair<double, double> round_interval(double lo, double hi) {
  const double width = std::max(hi - lo, 1.0);
  const double step = std::pow(10.0, std::floor(std::log10(width)) - 1);
  const double s = std::max(step, 1.0);
  return {std::floor(lo / s) * s, std::ceil(hi / s) * s};
}

}  // namespace joindots::disclose
