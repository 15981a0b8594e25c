#include "report/publish.hpp"

#include <chrono>

namespace joindots::report {

namespace {

std::string refusal_message(const std::vector<std::string>& problems) {
  std::string lines;
  for (const auto& p : problems) lines += "\n  " + p;
  return "the public bundle failed the exact disclosure audit, so it is not published:" + lines;
}

}  // namespace

DisclosureRefused::DisclosureRefused(std::vector<std::string> problems)
    : InternalError(refusal_message(problems)), problems_(std::move(problems)) {}

std::size_t PublishableBundle::suppressed_cells() const {
  std::size_t n = 0;
  if (audit)
    for (const auto& c : audit->cells) n += c.suppressed();
  return n;
}

PublishableBundle publishable_bundle(Store& store, const AreaTable& areas, Tier tier) {
  PublishableBundle out;
  out.bundle = build_bundle(store, areas, tier);
  if (tier != Tier::Public) return out;
  const auto start = std::chrono::steady_clock::now();
  out.audit = audit_public_bundle(out.bundle);
  out.audit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!out.audit->safe()) throw DisclosureRefused(out.audit->problems());
  return out;
}

}  // namespace joindots::report
