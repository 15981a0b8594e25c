#include "link/config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "core/error.hpp"

namespace joindots::link {

namespace {

constexpr std::array<std::string_view, 7> kSections = {"columns", "compare", "blocking", "model",
                                                       "cluster", "review",  "run"};

template <typename Range>
std::string join(const Range& names) {
  std::string out;
  std::size_t i = 0, n = std::size(names);
  for (const auto& s : names) {
    if (i) out += i + 1 == n ? " or " : ", ";
    out += s;
    ++i;
  }
  return out;
}

std::vector<std::string> string_list(const toml::node& node, std::string_view where) {
  const auto* arr = node.as_array();
  if (!arr) throw UsageError(fmt::format("{}: expected a list of strings", where));
  std::vector<std::string> out;
  for (const auto& el : *arr) {
    auto s = el.value<std::string>();
    if (!s) throw UsageError(fmt::format("{}: expected a list of strings", where));
    out.push_back(*s);
  }
  return out;
}

std::vector<Field> field_list(const toml::node& node, std::string_view where) {
  std::vector<Field> out;
  for (const auto& s : string_list(node, where)) out.push_back(field_by_name(s, where));
  return out;
}

void set_param(LinkConfig& c, std::string_view section, std::string_view name, double v) {
  const std::string key = fmt::format("{}.{}", section, name);
  if (key == "blocking.max_pairs") c.max_pairs = static_cast<std::int64_t>(v);
  else if (key == "blocking.max_block") c.max_block = static_cast<std::int64_t>(v);
  else if (key == "model.u_pairs") c.u_pairs = static_cast<std::int64_t>(v);
  else if (key == "model.split_pairs") c.split_pairs = static_cast<std::int64_t>(v);
  else if (key == "model.area_pairs") c.area_pairs = static_cast<std::int64_t>(v);
  else if (key == "model.em_max_iterations") c.em_max_iterations = static_cast<int>(v);
  else if (key == "model.em_tolerance") c.em_tolerance = v;
  else if (key == "model.em_fix_u") c.em_fix_u = v != 0;
  else if (key == "model.em_silver_standard") c.em_silver_standard = v != 0;
  else if (key == "model.em_sessions") c.em_sessions = v != 0;
  else if (key == "model.seed") c.seed = static_cast<std::uint64_t>(v);
  else if (key == "model.correlated_fields") c.correlated_fields = v != 0;
  else if (key == "cluster.auto_one_per_source") c.auto_one_per_source = v != 0;
  else if (key == "cluster.threshold") c.threshold = v;
  else if (key == "cluster.min_cohesion") c.min_cohesion = v;
  else if (key == "cluster.usual_size_quantile") c.usual_size_quantile = v;
  else if (key == "cluster.min_cohesion_within_usual") c.min_cohesion_within_usual = v;
  else if (key == "cluster.max_per_source") c.max_per_source = static_cast<int>(v);
  else if (key == "review.low") c.review_low = v;
  else if (key == "review.high") c.review_high = v;
  else if (key == "run.threads") c.threads = static_cast<int>(v);
}

const ParamSpec* find_param(std::string_view section, std::string_view name) {
  for (const auto& p : kLinkParams)
    if (p.section == section && p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> valid_keys(std::string_view section) {
  std::vector<std::string> keys;
  if (section == "columns") {
    keys = {"id", "truth", "other_names", "dob_year", "dob_month", "dob_day"};
    for (auto f : kFieldNames) keys.emplace_back(f);
  } else if (section == "compare") {
    keys = {"fields", "tf_adjust"};
    for (auto f : kFieldNames) keys.emplace_back(f);
  } else if (section == "blocking") {
    keys = {"rules"};
  } else if (section == "cluster") {
    keys = {"hard_fields"};
  }
  for (const auto& p : kLinkParams)
    if (p.section == section) keys.emplace_back(p.name);
  return keys;
}

}  // namespace

const std::vector<std::vector<std::string>>& default_blocking_rules() {
  static const std::vector<std::vector<std::string>> rules = {
      {"nhs_number"},
      {"upn"},
      {"pnc_id"},
      {"identifier"},
      {"dob", "family_name.soundex"},
      {"dob", "given_name.soundex"},
      {"given_name.soundex", "family_name.soundex", "dob.year"},
      {"given_name.soundex", "family_name.soundex", "dob.month_day"},
      {"dob", "postcode.district"},
      {"dob", "locality"},
      {"dob", "birth_place"},
      {"given_name.soundex", "family_name.soundex"},
      {"postcode"},
      {"given_name.prefix2", "postcode.district"},
      {"family_name.soundex", "postcode.district"},
      {"given_name.soundex", "locality"},
      {"family_name.soundex", "locality"},
      {"given_name.soundex", "birth_place"},
      {"family_name.soundex", "birth_place"},
  };
  return rules;
}

const std::vector<std::vector<std::string>>& candidate_blocking_rules() {
  // Each pairs a code of one field with part of another: a name with the birth year (a
  // wrong day, the other name missing or changed), a name with an occupation, a date with
  // the sex, a place with part of a date, a second phonetic code for names with a first-
  // letter typo; then single fields. Blocks are capped at max_block like the defaults'.
  static const std::vector<std::vector<std::string>> rules = {
      {"family_name.soundex", "dob.year"},
      {"given_name.soundex", "dob.year"},
      {"given_name.nysiis", "family_name.nysiis"},
      {"family_name.soundex", "given_name.prefix1"},
      {"given_name.soundex", "family_name.prefix1"},
      {"given_name.soundex", "occupation"},
      {"family_name.soundex", "occupation"},
      {"dob", "sex"},
      {"dob", "occupation"},
      {"dob.year_month", "postcode.district"},
      {"dob.year_month", "locality"},
      {"dob.year", "birth_place"},
      {"given_name.prefix3", "dob.year_month"},
      {"family_name.prefix3", "dob.year_month"},
      {"given_name.soundex", "postcode.district"},
      {"dob.month_day", "postcode.district"},
      {"dob.month_day", "locality"},
      {"family_name.soundex", "dob.month_day"},
      {"given_name.soundex", "dob.month_day"},
      {"given_name", "sex", "dob.year"},
      // One field alone: cheap on small inputs, where they give EM the non-matches it needs
      // as well as recall; on large ones their pairs exceed the limit and they are not taken.
      {"email"},
      {"dob"},
      {"family_name.soundex"},
      {"given_name.soundex"},
  };
  return rules;
}

LinkSettings parse_link_settings(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, std::string(origin));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw UsageError(fmt::format("{}:{}:{}: {}", origin, where.line, where.column, e.description()));
  }
  LinkSettings s;
  for (auto&& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    if (std::find(kSections.begin(), kSections.end(), section) == kSections.end())
      throw UsageError(
          fmt::format("{}: unknown section [{}]; valid sections are {}", origin, section, join(kSections)));
    const auto* tbl = section_node.as_table();
    if (!tbl) throw UsageError(fmt::format("{}: [{}] must be a table", origin, section));
    for (auto&& [key_node, node] : *tbl) {
      const std::string key(key_node.str());
      const std::string where = fmt::format("{}: {}.{}", origin, section, key);
      auto keys = valid_keys(section);
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        throw UsageError(
            fmt::format("{}: unknown key '{}' in [{}]; valid keys are {}", origin, key, section, join(keys)));
      if (const ParamSpec* p = find_param(section, key)) {
        std::optional<double> v = node.value<double>();
        if (!v) throw UsageError(fmt::format("{}: expected a number", where));
        // TOML's nan passes both bounds (and casting it is undefined): refused first.
        if (std::isnan(*v) || *v < p->min || *v > p->max ||
            (p->integer && *v != static_cast<double>(static_cast<std::int64_t>(*v))))
          throw UsageError(fmt::format("{}: {} is out of range; expected {} {} to {}", where, *v,
                                       p->integer ? "a whole number" : "a number", p->min, p->max));
        set_param(s.config, section, key, *v);
        continue;
      }
      if (section == "columns") {
        auto v = node.value<std::string>();
        if (!v) throw UsageError(fmt::format("{}: expected a column name", where));
        if (key == "id") s.mapping.id_column = *v;
        else if (key == "truth") s.mapping.truth_column = *v;
        else if (key == "other_names") s.mapping.other_names_column = *v;
        else if (key == "dob_year") s.mapping.dob_year_column = *v;
        else if (key == "dob_month") s.mapping.dob_month_column = *v;
        else if (key == "dob_day") s.mapping.dob_day_column = *v;
        else s.mapping.column[static_cast<std::size_t>(field_by_name(key, where))] = *v;
      } else if (section == "compare") {
        if (key == "fields") s.fields = field_list(node, where);
        else if (key == "tf_adjust") s.tf_adjust = field_list(node, where);
        else {
          auto v = node.value<std::string>();
          if (!v) throw UsageError(fmt::format("{}: expected a comparator name", where));
          s.comparator[static_cast<std::size_t>(field_by_name(key, where))] = comparator_by_name(*v, where);
        }
      } else if (section == "blocking" && key == "rules") {
        const auto* arr = node.as_array();
        if (!arr) throw UsageError(fmt::format("{}: expected a list of rules, each a list of keys", where));
        std::vector<BlockingRule> rules;
        for (const auto& r : *arr) rules.push_back(parse_blocking_rule(string_list(r, where)));
        s.blocking = std::move(rules);
      } else if (section == "cluster" && key == "hard_fields") {
        s.hard_fields = field_list(node, where);
      }
    }
  }
  if (s.config.review_low > s.config.review_high)
    throw UsageError(fmt::format("{}: review.low must not exceed review.high", origin));
  return s;
}

LinkSettings load_link_settings(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read config {}", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_link_settings(ss.str(), path.string());
}

LinkConfig resolve_link_config(const LinkSettings& s, std::bitset<kFieldCount> available) {
  LinkConfig c = s.config;
  auto need = [&](Field f, std::string_view where) {
    if (!available[static_cast<std::size_t>(f)])
      throw UsageError(fmt::format("{}: field {} is not in the input (map it in [columns])", where, to_string(f)));
  };
  std::vector<Field> fields;
  if (s.fields) {
    for (Field f : *s.fields) need(f, "compare.fields");
    fields = *s.fields;
  } else {
    for (std::size_t i = 0; i < kFieldCount; ++i)
      if (available[i]) fields.push_back(static_cast<Field>(i));
  }
  if (fields.empty()) throw UsageError("no field to compare: map at least one column to a field in [columns]");
  if (fields.size() > kMaxComparisons)
    throw UsageError(fmt::format("at most {} fields can be compared", kMaxComparisons));
  std::vector<Field> tf = s.tf_adjust ? *s.tf_adjust : std::vector<Field>{Field::given_name, Field::family_name};
  for (Field f : fields) {
    Comparison cmp{f, s.comparator[static_cast<std::size_t>(f)].value_or(default_comparator(f)), false};
    cmp.tf_adjust = std::find(tf.begin(), tf.end(), f) != tf.end();
    c.comparisons.push_back(cmp);
  }
  std::bitset<kFieldCount> compared;
  for (Field f : fields) compared.set(static_cast<std::size_t>(f));
  if (s.blocking) {
    for (const auto& rule : *s.blocking)
      for (const auto& k : rule.keys) need(k.field, "blocking.rules");
    c.blocking = *s.blocking;
  } else {
    for (const auto& keys : default_blocking_rules()) {
      BlockingRule rule = parse_blocking_rule(keys);
      bool ok = true;
      for (const auto& k : rule.keys) ok = ok && compared[static_cast<std::size_t>(k.field)];
      if (ok) c.blocking.push_back(std::move(rule));
    }
    c.blocking_from_defaults = true;
    for (const auto& keys : candidate_blocking_rules()) {
      BlockingRule rule = parse_blocking_rule(keys);
      bool ok = true;
      for (const auto& k : rule.keys) ok = ok && compared[static_cast<std::size_t>(k.field)];
      if (ok) c.blocking_pool.push_back(std::move(rule));
    }
  }
  if (s.hard_fields) {
    for (Field f : *s.hard_fields) need(f, "cluster.hard_fields");
    c.hard_fields = *s.hard_fields;
  } else if (compared[static_cast<std::size_t>(Field::nhs_number)]) {
    c.hard_fields = {Field::nhs_number};
  }
  return c;
}

std::string describe_link_params() {
  std::string out = "| parameter | default | range | meaning |\n|---|---|---|---|\n";
  for (const auto& p : kLinkParams)
    out += fmt::format("| `{}.{}` | {} | {} to {} | {} |\n", p.section, p.name, p.default_value, p.min, p.max,
                       p.description);
  return out;
}

}  // namespace joindots::link
