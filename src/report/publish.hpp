#pragma once
// The one disclosure boundary: every front end (`report`, `serve`) gets the bundle it shows
// from publishable_bundle and from nothing else. For the public tier it builds the bundle
// (every table through disclosure control, the networks' aggregates chosen by their
// allow-list), runs the exact audit over all its cells at once (bundle_audit.hpp) and
// refuses a bundle the audit finds a leak in; the restricted tier is built exact and never
// audited (it is not for publication).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "report/bundle.hpp"
#include "report/bundle_audit.hpp"

namespace joindots::report {

/// The public bundle failed the exact audit: nothing may be published. `problems` names each
/// leaking cell (BundleAudit::problems); what() says the same in one message.
class DisclosureRefused : public InternalError {
 public:
  explicit DisclosureRefused(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

struct PublishableBundle {
  nlohmann::json bundle;
  std::optional<BundleAudit> audit;  // public tier only
  double audit_seconds = 0;
  std::size_t suppressed_cells() const;
};

/// The bundle of `tier`, built, protected and (public) audited. Throws DisclosureRefused
/// when the public bundle fails the audit.
PublishableBundle publishable_bundle(Store& store, const AreaTable& areas, Tier tier);

}  // namespace joindots::report
