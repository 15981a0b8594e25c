#include "serve/request_guard.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "io/csv_reader.hpp"

namespace joindots::serve {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes %XX escapes (and '+' as a space in a query); nothing when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view raw, bool plus_is_space) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%') {
      const int hi = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (plus_is_space && raw[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(raw[i]);
    }
  }
  return out;
}

bool has_control_character(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

/// Why one decoded component is refused (`what` names it: "the path", "a query parameter").
std::optional<std::string> component_problem(std::string_view raw, bool plus_is_space,
                                             const std::string& what) {
  const auto decoded = percent_decode(raw, plus_is_space);
  if (!decoded)
    return what + " has a malformed percent-escape ('%' must be followed by two hex digits)";
  if (!valid_utf8(*decoded))
    return what + " is not valid UTF-8 once its percent-escapes are decoded";
  if (has_control_character(*decoded)) return what + " contains a control character";
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// The host part of a Host header value: "[::1]:8080" -> "[::1]", "Example:80" -> "example".
std::string host_name_of(std::string_view value) {
  if (!value.empty() && value.front() == '[') {
    const auto close = value.find(']');
    return close == std::string_view::npos ? std::string() : lower(value.substr(0, close + 1));
  }
  return lower(value.substr(0, value.find(':')));
}

bool is_ip_literal(const std::string& name) {
  unsigned char buf[16];
  if (name.size() > 2 && name.front() == '[' && name.back() == ']')
    return inet_pton(AF_INET6, name.substr(1, name.size() - 2).c_str(), buf) == 1;
  return inet_pton(AF_INET, name.c_str(), buf) == 1;
}

}  // namespace

std::optional<std::string> request_target_problem(std::string_view target) {
  if (target.empty() || target.front() != '/')
    return "the request target must be a path starting with '/'";
  const auto q = target.find('?');
  if (auto p = component_problem(target.substr(0, q), false, "the path")) return p;
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (auto p = component_problem(pair.substr(0, eq), true, "a query parameter's name")) return p;
    if (eq != std::string_view::npos)
      if (auto p = component_problem(pair.substr(eq + 1), true, "a query parameter's value"))
        return p;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

HostCheck::HostCheck(std::string bound_host, std::vector<std::string> extra) {
  names_ = {"localhost", "127.0.0.1", "[::1]"};
  const std::string bound = lower(bound_host);
  if (bound == "0.0.0.0" || bound == "::" || bound == "[::]") {
    any_ip_literal_ = true;
  } else if (bound.find(':') != std::string::npos && bound.front() != '[') {
    names_.push_back("[" + bound + "]");  // a bare IPv6 address is bracketed in a Host header
  } else {
    names_.push_back(bound);
  }
  for (const auto& name : extra) names_.push_back(host_name_of(name));
}

bool HostCheck::allows(std::string_view host_header) const {
  const std::string name = host_name_of(host_header);
  if (name.empty()) return false;
  if (std::find(names_.begin(), names_.end(), name) != names_.end()) return true;
  return any_ip_literal_ && is_ip_literal(name);
}

std::string HostCheck::describe() const {
  std::string out;
  for (const auto& n : names_) out += (out.empty() ? "" : ", ") + n;
  if (any_ip_literal_) out += ", or any IP address of this machine";
  return out;
}

std::vector<std::pair<std::string, std::string>> security_headers() {
  return {{"Content-Security-Policy",
           "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src "
           "'self' data:; "
           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
           "frame-ancestors 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"},
          {"Cross-Origin-Resource-Policy", "same-origin"}};
}

}  // namespace joindots::serve
