#pragma once
// Checks every request passes before it reaches a handler (docs/report.md, "What the server
// refuses"): the request target's percent-escapes and the UTF-8 they decode to, the Host
// header, the method. Pure functions over strings, so the rules are tested without sockets.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace joindots::serve {

/// Why the raw request target (path and query as sent, before decoding) is refused, or
/// nothing when it is acceptable: it must start with '/', every '%' must begin a two-digit
/// hex escape, and the path and each query name and value must decode to UTF-8 with no
/// control characters. The message is plain and never echoes the offending bytes.
std::optional<std::string> request_target_problem(std::string_view target);

/// The Host names a server bound to `bound_host` answers to: the loopback names
/// (localhost, 127.0.0.1, [::1]), the bound address itself, IP literals when bound to every
/// address (0.0.0.0 or ::), and any name in `extra` (--allow-host). Any other Host, which is
/// what a DNS-rebinding page sends, gets 421.
class HostCheck {
 public:
  HostCheck(std::string bound_host, std::vector<std::string> extra);
  /// Whether the value of a Host header (name or IP literal, optional :port) is allowed.
  bool allows(std::string_view host_header) const;
  /// The names allowed, for the error message.
  std::string describe() const;

 private:
  std::vector<std::string> names_;  // lower case, IPv6 literals bracketed
  bool any_ip_literal_ = false;
};

/// The headers every response carries: a Content-Security-Policy allowing scripts only from
/// this origin (the page has no inline script; inline styles are allowed because Observable
/// Plot writes a <style> element into each chart), no framing, no MIME sniffing, no referrer.
std::vector<std::pair<std::string, std::string>> security_headers();

}  // namespace joindots::serve
