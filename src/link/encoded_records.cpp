// Reading and comparing encoded records (link/encoded_link.hpp): the records of a role with
// their CLKs and tokens, the comparison pattern of a pair, the hard-rule values.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "encode/dice.hpp"
#include "link/encoded_compare.hpp"
#include "link/encoded_link.hpp"

namespace joindots::link {

static_assert(kDiceWithoutDobComparison < kMaxComparisons, "a pattern holds 16 comparisons");

const std::vector<std::size_t>& encoded_levels() {
  static const std::vector<std::size_t> levels = [] {
    std::vector<std::size_t> l(kEncodedComparisons, 3);
    l[kDiceComparison] = encode::kDiceLevels;
    l[kDiceWithoutDobComparison] = encode::kDiceLevels;
    return l;
  }();
  return levels;
}

std::string encoded_comparison_name(std::size_t k) {
  if (k == kDiceComparison) return "clk_dice";
  if (k == kDiceWithoutDobComparison) return "clk_dice_without_dob";
  if (k == kSexComparison) return "sex";
  return std::string(encode::kTokenColumns[k - 1].column);
}

std::string encoded_level_name(std::size_t k, int level) {
  static const char* const kDice[] = {"missing", "below 0.6", "0.6-0.7", "0.7-0.8", "0.8-0.9", "0.9-0.97", "0.97+"};
  static const char* const kToken[] = {"missing", "else", "a token shared"};
  static const char* const kExact[] = {"missing", "else", "exact"};
  const auto l = static_cast<std::size_t>(level);
  if (k == kDiceComparison || k == kDiceWithoutDobComparison) return kDice[l];
  return k == kSexComparison ? kExact[l] : kToken[l];
}

EncodedRole read_encoded_role(Store& store, Role role, bool quiet) {
  EncodedRole d;
  std::unordered_map<std::int64_t, std::uint32_t> index_of;
  std::unordered_map<std::string, std::uint32_t> org_index;
  Progress reading(fmt::format("reading {} records", to_string(role)), "records", 0, quiet);
  store.for_each_record(role, [&](const StoredRecord& sr) {
    auto [it, fresh] = org_index.emplace(sr.record.source_org, static_cast<std::uint32_t>(d.orgs.size()));
    if (fresh) d.orgs.push_back(sr.record.source_org);
    index_of.emplace(sr.record_pk, static_cast<std::uint32_t>(d.records.size()));
    d.source.push_back(it->second);
    d.records.push_back(sr.record);
    d.record_pk.push_back(sr.record_pk);
    reading.advance();
  });
  reading.finish();
  const std::size_t n = d.records.size();
  d.input.tokens.resize(n);
  d.clk_weight.assign(n, 0);
  d.age_band.assign(n, "unknown");
  std::vector<bool> seen(n, false);
  bool sized = false;
  Progress encodings(fmt::format("reading {} encodings", to_string(role)), "records", static_cast<std::int64_t>(n),
                     quiet);
  store.for_each_encoded_record(role, [&](std::int64_t pk, const EncodedColumns& e) {
    const auto it = index_of.find(pk);
    if (it == index_of.end()) throw InternalError(fmt::format("encoded record {} has no record", pk));
    if (!sized) {
      if (e.clk.empty() || e.clk.size() % 8 || e.clk.size() / 8 > encode::kMaxClkWords)
        throw InternalError(fmt::format("encoded record {}: a CLK of {} bytes", pk, e.clk.size()));
      d.input.words = e.clk.size() / 8;
      d.input.clks.assign(n * d.input.words, 0);
      sized = true;
    }
    if (e.clk.size() != d.input.words * 8)
      throw InternalError(fmt::format("encoded record {}: a CLK of {} bytes among CLKs of {}", pk, e.clk.size(),
                                      d.input.words * 8));
    const std::uint32_t i = it->second;
    std::memcpy(d.input.clks.data() + static_cast<std::size_t>(i) * d.input.words, e.clk.data(), e.clk.size());
    d.clk_weight[i] = static_cast<std::uint32_t>(e.clk_weight);
    d.age_band[i] = e.age_band;
    d.input.tokens[i] = encode::tokens_from_json(e.tokens_json);
    seen[i] = true;
    encodings.advance();
  });
  encodings.finish();
  if (const auto missing = std::find(seen.begin(), seen.end(), false); missing != seen.end())
    throw InternalError(fmt::format("record {} of an encoded store has no encoding",
                                    d.record_pk[static_cast<std::size_t>(missing - seen.begin())]));
  return d;
}

Pattern encoded_pattern(const EncodedRole& d, std::uint32_t a, std::uint32_t b) {
  const std::size_t w = d.input.words;
  std::uint16_t shared = 0;
  encode::and_counts(d.input.clks.data() + a * w, d.input.clks.data() + b * w, 1, w, &shared);
  const std::uint32_t wa = d.clk_weight[a], wb = d.clk_weight[b];
  const auto dice = static_cast<Pattern>(
      encode::dice_level(encode::dice_from_counts(shared, wa, wb), std::min(wa, wb) < kMinDiceWeight));
  // Token columns: one merge of the two sorted token lists.
  constexpr std::size_t kColumns = encode::kTokenColumns.size();
  std::array<std::uint8_t, kColumns> has_a{}, has_b{}, same{};
  const auto& ta = d.input.tokens[a];
  const auto& tb = d.input.tokens[b];
  for (const auto& t : ta) has_a[t.column] = 1;
  for (const auto& t : tb) has_b[t.column] = 1;
  const bool dates = has_a[kDobTokenColumn] && has_b[kDobTokenColumn];
  Pattern p = dice << (4 * (dates ? kDiceComparison : kDiceWithoutDobComparison));
  for (std::size_t i = 0, j = 0; i < ta.size() && j < tb.size();) {
    if (ta[i] < tb[j]) ++i;
    else if (tb[j] < ta[i]) ++j;
    else same[ta[i].column] = 1, ++i, ++j;
  }
  for (std::size_t c = 0; c < encode::kComparedTokenColumns; ++c) {
    const Pattern level = !has_a[c] || !has_b[c] ? 0 : same[c] ? 2 : 1;
    p |= level << (4 * (c + 1));
  }
  const Sex sa = d.records[a].sex, sb = d.records[b].sex;
  const bool known = (sa == Sex::F || sa == Sex::M) && (sb == Sex::F || sb == Sex::M);
  p |= static_cast<Pattern>(known ? (sa == sb ? 2 : 1) : 0) << (4 * kSexComparison);
  return p;
}

std::uint16_t identifier_token_column(Field field) {
  const std::string_view name = to_string(field);
  for (std::size_t t = 0; t < encode::kTokenColumns.size(); ++t)
    if (encode::kTokenColumns[t].source == name && encode::kTokenColumns[t].column.starts_with("tok_"))
      return static_cast<std::uint16_t>(t);
  throw UsageError(fmt::format(
      "link: hard field '{}' cannot apply to encodings: the store holds no value of it to compare exactly (the hard "
      "rule on encodings takes nhs_number, upn or pnc_id, compared by their keyed tokens)",
      name));
}

std::string hard_token_value(const std::vector<encode::Token>& tokens, std::uint16_t column) {
  for (const auto& t : tokens)
    if (t.column == column) return fmt::format("{:016x}", t.key);
  return {};
}

void for_each_hard_values(Store& store, Role role, const std::vector<Field>& fields,
                          const std::function<void(std::int64_t record_pk, std::vector<std::string> values)>& fn) {
  if (fields.empty()) return;
  if (!store.encoding()) {
    store.for_each_record(role, [&](const StoredRecord& sr) {
      const auto normalised = normalise_record(raw_from_record(sr.record));
      std::vector<std::string> values;
      for (Field f : fields) values.push_back(normalised[f]);
      fn(sr.record_pk, std::move(values));
    });
    return;
  }
  std::vector<std::uint16_t> columns;
  for (Field f : fields) columns.push_back(identifier_token_column(f));
  store.for_each_encoded_record(role, [&](std::int64_t pk, const EncodedColumns& e) {
    const auto tokens = encode::tokens_from_json(e.tokens_json);
    std::vector<std::string> values;
    for (auto c : columns) values.push_back(hard_token_value(tokens, c));
    fn(pk, std::move(values));
  });
}

}  // namespace joindots::link
