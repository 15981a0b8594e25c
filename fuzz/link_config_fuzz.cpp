// Fuzz target: TOML text through parse_link_settings and resolve_link_config (link/config),
// resolved against every field being available. Contract: settings, or UsageError naming the
// origin (a config is part of the command line: exit 1). Nothing else.
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "link/config.hpp"

using namespace joindots;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto settings = link::parse_link_settings(text, "fuzz.toml");
    std::bitset<link::kFieldCount> available;
    available.set();
    (void)link::resolve_link_config(settings, available);
  } catch (const UsageError& e) {
    if (std::string_view(e.what()).empty()) fuzz::fail("a UsageError without a message");
  } catch (...) {
    fuzz::fail_on_unexpected_exception();
  }
  return 0;
}
