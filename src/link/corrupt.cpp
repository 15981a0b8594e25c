#include "link/corrupt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/rng.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "core/nicknames.hpp"

namespace joindots::link {

namespace {

std::ptrdiff_t column(const std::vector<std::string>& header, std::string_view name) {
  auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : it - header.begin();
}

/// One keyboard-style error: substitute, delete, insert or transpose a letter.
std::string typo(std::string s, Rng& rng) {
  if (s.size() < 2) return s;
  const std::size_t i = rng.below(s.size());
  const char letter = static_cast<char>('a' + rng.below(26));
  switch (rng.below(4)) {
    case 0: s[i] = letter; break;
    case 1: s.erase(i, 1); break;
    case 2: s.insert(i, 1, letter); break;
    default:
      if (i + 1 < s.size()) std::swap(s[i], s[i + 1]);
      else std::swap(s[i - 1], s[i]);
  }
  return s;
}

/// A wrong digit, or day and month swapped (YYYYMMDD in and out).
std::string mistype_date(std::string d, Rng& rng) {
  if (d.size() != 8) return d;
  if (rng.bernoulli(0.3) && std::stoi(d.substr(6, 2)) <= 12) return d.substr(0, 4) + d.substr(6, 2) + d.substr(4, 2);
  const std::size_t i = 2 + rng.below(6);  // keep the century
  char c = d[i];
  while (c == d[i]) c = static_cast<char>('0' + rng.below(10));
  d[i] = c;
  return d;
}

std::string nickname_of(const std::string& given, Rng& rng) {
  const auto nicks = nicknames_of(given);
  if (nicks.empty()) return given;
  return std::string(nicks[rng.below(nicks.size())]);
}

CorruptRecord record_of(const CleanPerson& p, const CorruptionSpec& spec, Rng& rng) {
  CorruptRecord r{"", p.entity, p.given, p.family, spec.with_dob ? p.dob : "", p.postcode, p.suburb};
  if (rng.bernoulli(spec.nickname)) r.given = nickname_of(r.given, rng);
  for (std::string* name : {&r.given, &r.family}) {
    if (rng.bernoulli(spec.name_typo)) *name = typo(*name, rng);
    if (rng.bernoulli(spec.name_typo / 3)) *name = typo(*name, rng);  // heavy noise: a second error
  }
  if (rng.bernoulli(spec.swap_names)) std::swap(r.given, r.family);
  if (rng.bernoulli(spec.family_missing)) r.family.clear();
  if (rng.bernoulli(spec.place_missing)) r.postcode.clear(), r.suburb.clear();
  if (!r.dob.empty()) {
    const double u = rng.uniform();
    if (u < spec.dob_missing) r.dob.clear();
    else if (u < spec.dob_missing + spec.dob_mistyped) r.dob = mistype_date(r.dob, rng);
  }
  return r;
}

}  // namespace

std::vector<CleanPerson> read_febrl_persons(const std::filesystem::path& file) {
  CsvReader in(file);
  const auto& h = in.header();
  const auto rec = column(h, "rec_id"), given = column(h, "given_name"), family = column(h, "surname"),
             dob = column(h, "date_of_birth"), postcode = column(h, "postcode"), suburb = column(h, "suburb");
  std::vector<CleanPerson> all, org;
  CsvRow row;
  auto get = [&](std::ptrdiff_t c) { return c >= 0 ? row.fields[static_cast<std::size_t>(c)] : std::string(); };
  while (in.next(row)) {
    CleanPerson p{get(rec), get(given), get(family), get(dob), get(postcode), get(suburb)};
    if (p.given.empty() || p.family.empty()) continue;  // clean persons have both names
    const bool is_org = p.entity.ends_with("-org");
    p.entity = fmt::format("e{}", all.size() + org.size());
    (is_org ? org : all).push_back(std::move(p));
  }
  return org.empty() ? all : org;
}

std::vector<CorruptionSpec> standard_corruptions() {
  std::vector<CorruptionSpec> v;
  // The register extract of issue 12: five files, one record per person in each, names and
  // a place whose suburb is a function of a postcode drawn from few; no date of birth.
  CorruptionSpec reg{"register5_places", 5, 0.55, {0, 0, 0, 0, 0}, 30, false};
  reg.name_typo = 0.12;
  reg.nickname = 0.05;
  v.push_back(reg);
  // A de-duplication set with typos in names and dates (30% missing, 20% mistyped).
  CorruptionSpec dedupe{"dedupe_typos", 1, 1.0, {1.2}, 0, true, 0.3, 0.2, 0.3};
  v.push_back(dedupe);
  // Five parties, partial overlap, heavy noise; duplicates within two files only.
  CorruptionSpec noisy{"five_party_noisy", 5, 0.5, {0.4, 0, 0, 0.25, 0}, 0, true, 0.45, 0.15, 0.35};
  noisy.nickname = 0.15;
  noisy.swap_names = 0.08;
  noisy.family_missing = 0.03;
  v.push_back(noisy);
  // Two files, dates scarce (60% missing), many duplicates in the second, 200 places.
  CorruptionSpec scarce{"two_files_scarce_dob", 2, 0.7, {0, 0.8}, 200, true, 0.6, 0.0, 0.2};
  v.push_back(scarce);
  // Dense, loose clusters (like historical_50k): one file, 8 extra records per person on
  // average, each missing some fields (40% of dates, 20% of places, 10% of family names).
  CorruptionSpec dense{"dense_loose", 1, 1.0, {8.0}, 0, true, 0.4, 0.15, 0.3};
  dense.nickname = 0.15;
  dense.family_missing = 0.1;
  dense.place_missing = 0.2;
  v.push_back(dense);
  return v;
}

std::vector<std::vector<CorruptRecord>> corrupt(const std::vector<CleanPerson>& persons, const CorruptionSpec& spec,
                                                std::uint64_t seed) {
  Rng rng(seed, "link-corrupt");
  // Correlated places: postcode drawn from `places` codes, the suburb a function of it.
  std::vector<std::pair<std::string, std::string>> places;
  for (const auto& p : persons)
    if (static_cast<int>(places.size()) < spec.places && !p.postcode.empty() && !p.suburb.empty() &&
        std::none_of(places.begin(), places.end(), [&](const auto& x) { return x.first == p.postcode; }))
      places.emplace_back(p.postcode, p.suburb);
  std::vector<std::vector<CorruptRecord>> files(static_cast<std::size_t>(spec.files));
  for (const auto& clean : persons) {
    CleanPerson p = clean;
    if (!places.empty()) std::tie(p.postcode, p.suburb) = places[rng.below(places.size())];
    bool anywhere = false;
    for (std::size_t f = 0; f < files.size(); ++f) {
      // Every person is in at least one file (the last chance forces it).
      const bool last = f + 1 == files.size();
      if (!rng.bernoulli(spec.presence) && !(last && !anywhere)) continue;
      anywhere = true;
      const double extra = f < spec.duplicates.size() ? spec.duplicates[f] : 0.0;
      const std::int64_t copies = 1 + (extra > 0 ? rng.poisson(extra) : 0);
      for (std::int64_t c = 0; c < copies; ++c) files[f].push_back(record_of(p, spec, rng));
    }
  }
  for (std::size_t f = 0; f < files.size(); ++f) {
    // Shuffle so that duplicates are not adjacent, then number the records.
    for (std::size_t i = files[f].size(); i > 1; --i) std::swap(files[f][i - 1], files[f][rng.below(i)]);
    for (std::size_t i = 0; i < files[f].size(); ++i) files[f][i].record_id = fmt::format("p{}-{}", f + 1, i + 1);
  }
  return files;
}

void write_corrupt_files(const std::filesystem::path& dir, const std::vector<std::vector<CorruptRecord>>& files,
                         bool with_dob) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> header = {"record_id", "entity_id", "givenname", "lastname"};
  if (with_dob) header.push_back("birth_date");
  header.insert(header.end(), {"zip", "suburb"});
  for (std::size_t f = 0; f < files.size(); ++f) {
    CsvWriter out(dir / fmt::format("party_{}.csv", f + 1), header);
    for (const auto& r : files[f]) {
      std::vector<std::string> row = {r.record_id, r.entity, r.given, r.family};
      if (with_dob) row.push_back(r.dob);
      row.insert(row.end(), {r.postcode, r.suburb});
      out.write_row(row);
    }
    out.close();
  }
}

}  // namespace joindots::link
