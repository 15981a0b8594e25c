// Encoded mode end to end (issue 16): a simulated country encoded at source and ingested;
// the hub's store holds no plaintext identifier of it; one store, one mode, one key.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string_view>
#include <unordered_set>

#include "core/error.hpp"
#include "encode/encode_file.hpp"
#include "ingest/ingest.hpp"
#include "ingest/sample_rows.hpp"
#include "link/store_link.hpp"
#include "io/csv_reader.hpp"
#include "simulate/simulate.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "simulated_country.hpp"
#include "test_support.hpp"

namespace joindots {
namespace {

using testing::TempDir;
using testing::read_file;
using testing::write_file;

const char* const kSecret = testing::kTestSecret;
const char* kOtherSecret = "a7e3c9f1b5d8e2a6c0f4b9d7e3a1c5f8b2d6e0a4c9f7b3d5e1a8c2f6b0d4e9a3";

using testing::csv_files;

// The plaintext identifiers of the agency files that must not reach the hub: names and
// aliases of 7 or more characters as written (`as_written`) and lower-cased, full dates of
// birth that are no event date, full postcodes; none that is part of a district, region or
// police force area name (the store's reference areas: "Sutton", "Midlands"). Shorter
// strings occur by chance among the base64 of the encoded files and the store's tokens: a
// 6-letter one among some 2 million base64 characters with probability 2e6 / 64^6 = 3%,
// each (seen: "EMACRE" inside a CLK); 7 letters: 0.05%.
struct Needles {
  std::set<std::string> all, as_written;
};
Needles plaintext_identifiers(const std::vector<std::filesystem::path>& files) {
  Needles out;
  std::set<std::string> kept_dates;
  for (const auto& f : files) {
    CsvReader reader(f);
    const auto& h = reader.header();
    auto col = [&](std::string_view name) {
      return static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin());
    };
    CsvRow row;
    while (reader.next(row)) {
      auto name = [&](std::string v) {
        if (v.size() < 7) return;
        out.as_written.insert(v);
        std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
        out.all.insert(v);
      };
      name(row.fields[col("given_name")]);
      name(row.fields[col("family_name")]);
      std::string aliases = row.fields[col("other_names")];
      for (std::size_t start = 0; start < aliases.size();) {
        const auto bar = std::min(aliases.find('|', start), aliases.size());
        name(aliases.substr(start, bar - start));
        start = bar + 1;
      }
      if (const auto& dob = row.fields[col("dob")]; dob.size() == 10) out.as_written.insert(dob);
      if (const auto& pc = row.fields[col("postcode")]; pc.find(' ') != std::string::npos) out.as_written.insert(pc);
      kept_dates.insert(row.fields[col("event_date")]);
      kept_dates.insert(row.fields[col("last_date")]);
    }
  }
  for (const auto& d : kept_dates) out.as_written.erase(d);
  std::string area_names;
  for (const auto& a : testing::test_areas().all()) area_names += a.name + "|" + a.region_name + "|" + a.pfa_name + "|";
  for (auto* set : {&out.as_written, &out.all})
    std::erase_if(*set, [&](const std::string& n) { return area_names.find(n) != std::string::npos; });
  out.all.insert(out.as_written.begin(), out.as_written.end());
  return out;
}

// The needles that occur in `bytes`. One find() per needle over megabytes takes minutes:
// instead each position's first four bytes are looked up in a bitmap of the needles' first
// four bytes, and only on a hit are its windows of each needle length looked up.
std::vector<std::string> found_in(const std::string& bytes, const std::set<std::string>& needles) {
  auto prefix_bit = [](const char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return (v * 2654435761u) >> 8;  // 24 bits
  };
  std::vector<bool> prefixes(1u << 24);
  std::set<std::size_t> lengths;
  std::unordered_set<std::string_view> wanted;
  for (const auto& n : needles) {
    prefixes[prefix_bit(n.data())] = true;  // every needle has at least 6 bytes
    lengths.insert(n.size());
    wanted.insert(n);
  }
  std::set<std::string> found;
  const std::string_view all(bytes);
  for (std::size_t i = 0; i + 4 <= all.size(); ++i) {
    if (!prefixes[prefix_bit(all.data() + i)]) continue;
    for (const std::size_t len : lengths)
      if (i + len <= all.size())
        if (auto it = wanted.find(all.substr(i, len)); it != wanted.end()) found.emplace(*it);
  }
  return {found.begin(), found.end()};
}

std::int64_t count_rows(SqliteStore& store, const std::string& table) {
  auto st = store.database().prepare("SELECT count(*) FROM " + table);
  st.step();
  return st.column_int(0);
}

class EncodedCountry : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    testing::simulate_and_encode(dir_->path(), 0.2, 16);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path plain_dir() { return dir_->path() / "sim/agencies"; }
  static std::filesystem::path encoded_dir() { return dir_->path() / "encoded"; }
  static TempDir* dir_;
};
TempDir* EncodedCountry::dir_ = nullptr;

TEST_F(EncodedCountry, TheStoreItsWalAndTheOutputsHoldNoPlaintextIdentifier) {
  TempDir hub;
  const auto [needles, as_written] = plaintext_identifiers(csv_files(plain_dir()));
  ASSERT_GT(as_written.size(), 1000u);
  // The check finds them where they are: in the plaintext files.
  std::string plaintext;
  for (const auto& f : csv_files(plain_dir())) plaintext += read_file(f);
  EXPECT_EQ(found_in(plaintext, as_written).size(), as_written.size());

  std::string encoded;
  for (const auto& f : csv_files(encoded_dir())) encoded += read_file(f);
  EXPECT_EQ(found_in(encoded, needles), std::vector<std::string>{});

  SqliteStore store(hub / "hub.db", true);
  std::int64_t rows = 0;
  for (const auto& f : csv_files(encoded_dir())) rows += ingest_file(store, testing::test_areas(), f).rows;
  EXPECT_GT(rows, 2000);
  EXPECT_EQ(count_rows(store, "records"), rows);
  EXPECT_EQ(count_rows(store, "record_encodings"), rows);
  EXPECT_EQ(count_rows(store, "records WHERE given_name IS NOT NULL OR family_name IS NOT NULL OR dob IS NOT NULL "
                              "OR postcode IS NOT NULL OR nhs_number IS NOT NULL OR other_names IS NOT NULL"), 0);
  ASSERT_TRUE(store.encoding());
  EXPECT_EQ(store.encoding()->key_fingerprint, encode::Secret::from_text(kSecret).fingerprint());
  // Read while the store is open, so that the write-ahead log still holds its pages.
  ASSERT_TRUE(std::filesystem::exists(hub / "hub.db-wal"));
  const std::string db = read_file(hub / "hub.db"), wal = read_file(hub / "hub.db-wal");
  EXPECT_GT(db.size() + wal.size(), static_cast<std::size_t>(rows) * 128);  // the CLKs are in there
  EXPECT_EQ(found_in(db, needles), std::vector<std::string>{});
  EXPECT_EQ(found_in(wal, needles), std::vector<std::string>{});
  {  // The same check on a store of the plaintext files finds most of them there.
    SqliteStore plain(hub / "plain.db", true);
    for (const auto& f : csv_files(plain_dir())) ingest_file(plain, testing::test_areas(), f);
    const auto seen = found_in(read_file(hub / "plain.db") + read_file(hub / "plain.db-wal"), as_written);
    EXPECT_GT(seen.size(), as_written.size() * 9 / 10);
  }

  // The CLI's outputs: ingest (text and JSON) and status.
  TempDir cli;
  for (const char* json : {"", " --json"}) {
    const auto r = testing::run_cli("ingest --db " + (cli / "hub.db").string() + json + " " + encoded_dir().string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(found_in(r.out + r.err, needles), std::vector<std::string>{});
  }
  const auto status = testing::run_cli("status --json --db " + (cli / "hub.db").string());
  EXPECT_EQ(found_in(status.out + status.err, needles), std::vector<std::string>{});
}

TEST_F(EncodedCountry, RejectsAnotherKeyAndPlaintextNamingTheFile) {
  TempDir hub;
  const auto plain = csv_files(plain_dir()), encoded = csv_files(encoded_dir());
  SqliteStore store(hub / "hub.db", true);
  ingest_file(store, testing::test_areas(), encoded[0]);
  const auto records = count_rows(store, "records");

  // A file encoded with another secret would link to nothing: rejected at its first row.
  std::filesystem::create_directories(hub / "other");
  const encode::RecordEncoder other(encode::Secret::from_text(kOtherSecret));
  encode::encode_files(other, testing::test_areas(), {plain[1]}, hub / "other");
  try {
    ingest_file(store, testing::test_areas(), hub / "other" / plain[1].filename());
    FAIL() << "a file with another key fingerprint went in";
  } catch (const BadInputError& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find((hub / "other" / plain[1].filename()).string() + ":2: key_fingerprint: key fingerprint " +
                        other.fingerprint() + " differs from the store's " +
                        encode::Secret::from_text(kSecret).fingerprint()),
              std::string::npos)
        << text;
  }
  try {
    ingest_file(store, testing::test_areas(), plain[1]);
    FAIL() << "a plaintext file went into an encoded store";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find(plain[1].string() + ": a plaintext file, but the store is in encoded mode"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(count_rows(store, "records"), records);
  EXPECT_EQ(count_rows(store, "files"), 1);

  // And the other way round: an encoded file into a plaintext store.
  SqliteStore plain_store(hub / "plain.db", true);
  ingest_file(plain_store, testing::test_areas(), plain[0]);
  EXPECT_THROW(ingest_file(plain_store, testing::test_areas(), encoded[1]), BadInputError);
  EXPECT_EQ(count_rows(plain_store, "files"), 1);
}

TEST_F(EncodedCountry, AHardenedSchemeIsOneStoreAndNeverMixesWithAnother) {
  TempDir hub;
  const auto plain = csv_files(plain_dir()), encoded = csv_files(encoded_dir());
  const encode::Hardening hardening{.salt = encode::SaltBy::birth_year, .fold = true, .flip = 0.05};
  const encode::RecordEncoder hardened(encode::Secret::from_text(kSecret), 1024, hardening);
  ASSERT_EQ(hardened.scheme(), "joindots-clk-2/512+salt-birth-year+fold+flip-0.05");
  encode::encode_files(hardened, testing::test_areas(), {plain[0], plain[1]}, hub / "hardened");

  // A store of hardened files takes them, with their 512-bit filters.
  SqliteStore store(hub / "hardened.db", true);
  ingest_file(store, testing::test_areas(), hub / "hardened" / plain[0].filename());
  ASSERT_TRUE(store.encoding());
  EXPECT_EQ(store.encoding()->scheme, hardened.scheme());
  store.for_each_encoded_record(Role::victim,
                                [](std::int64_t, const EncodedColumns& e) { EXPECT_EQ(e.clk.size(), 64u); });
  // The same secret without the hardening is another scheme: rejected, naming both.
  try {
    ingest_file(store, testing::test_areas(), encoded[1]);
    FAIL() << "an unhardened file went into a store of hardened encodings";
  } catch (const BadInputError& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find(encoded[1].string() + ":2: clk_scheme: encoding scheme joindots-clk-2/1024 differs from the "
                        "store's joindots-clk-2/512+salt-birth-year+fold+flip-0.05"),
              std::string::npos)
        << text;
  }
  // And the other way round.
  SqliteStore plain_store(hub / "plain.db", true);
  ingest_file(plain_store, testing::test_areas(), encoded[0]);
  EXPECT_THROW(ingest_file(plain_store, testing::test_areas(), hub / "hardened" / plain[1].filename()), BadInputError);
  EXPECT_EQ(count_rows(plain_store, "files"), 1);
}

TEST_F(EncodedCountry, BadEncodedRowsAreNamedByFileLineAndField) {
  TempDir hub;
  const auto encoded = csv_files(encoded_dir());
  // Copy one file and break its second data row's clk and a token; add a plaintext column.
  std::string text = read_file(encoded[0]);
  const auto first_end = text.find('\n'), second_end = text.find('\n', first_end + 1);
  std::string header = text.substr(0, first_end);
  std::string row2 = text.substr(second_end + 1, text.find('\n', second_end + 1) - second_end - 1);
  const auto clk_start = row2.find("joindots-clk-2/1024,") + 20 + 33;  // past the fingerprint
  row2.replace(clk_start, 10, "!!!!!!!!!!");
  write_file(hub / "bad.csv", header + "\n" + text.substr(first_end + 1, second_end - first_end) + row2 + "\n");
  SqliteStore store(hub / "hub.db", true);
  try {
    ingest_file(store, testing::test_areas(), hub / "bad.csv");
    FAIL() << "a broken clk went in";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find((hub / "bad.csv").string() + ":3: clk: not a 1024-bit filter"),
              std::string::npos)
        << e.what();
  }
  write_file(hub / "named.csv", header + ",given_name\n");
  try {
    ingest_file(store, testing::test_areas(), hub / "named.csv");
    FAIL() << "an encoded file with a name column went in";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find(":1: header: plaintext identifier column 'given_name' in an encoded file"),
              std::string::npos)
        << e.what();
  }
  // A file an earlier joindots encoded (scheme joindots-clk-1, without the blocking-only
  // token columns of clk-2) is refused, saying to encode it again.
  std::string old_rows = text.substr(first_end + 1);
  for (auto at = old_rows.find("joindots-clk-2/"); at != std::string::npos; at = old_rows.find("joindots-clk-2/"))
    old_rows[at + 13] = '1';
  write_file(hub / "old.csv", header + "\n" + old_rows);
  try {
    ingest_file(store, testing::test_areas(), hub / "old.csv");
    FAIL() << "a clk-1 file went in";
  } catch (const BadInputError& e) {
    EXPECT_NE(std::string(e.what()).find((hub / "old.csv").string() + ":2: clk_scheme: 'joindots-clk-1/1024' is an "
                                         "encoding of another joindots version (this one reads joindots-clk-2)"),
              std::string::npos)
        << e.what();
  }
  std::string old_header = header;
  old_header.erase(old_header.find(",blk_given_family1"), std::string(",blk_given_family1").size());
  write_file(hub / "old-header.csv", old_header + "\n");
  try {
    ingest_file(store, testing::test_areas(), hub / "old-header.csv");
    FAIL() << "an encoded file without the clk-2 token columns went in";
  } catch (const BadInputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(":1: header: required column 'blk_given_family1' of an encoded file is missing"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("earlier joindots encoded: encode the agency's file again"), std::string::npos) << what;
  }
  EXPECT_EQ(count_rows(store, "records"), 0);
}

TEST_F(EncodedCountry, LinkOutputsHoldNoPlaintextIdentifier) {
  // Linkage on encodings (tests/link/encoded_link_test.cpp) adds pairs, persons, review
  // pairs and diagnostics to the store: none of them holds an identifier either.
  TempDir hub;
  const auto [needles, as_written] = plaintext_identifiers(csv_files(plain_dir()));
  SqliteStore store(hub / "hub.db", true);
  for (const auto& f : csv_files(encoded_dir())) ingest_file(store, testing::test_areas(), f);
  link::StoreLinkOptions lo;
  lo.roles = {Role::victim};
  link::link_store(store, link::LinkSettings{}, lo);
  EXPECT_EQ(count_rows(store, "runs"), 1);
  EXPECT_GT(count_rows(store, "link_pairs"), 0);
  const std::string wal = std::filesystem::exists(hub / "hub.db-wal") ? read_file(hub / "hub.db-wal") : "";
  EXPECT_EQ(found_in(read_file(hub / "hub.db") + wal, needles), std::vector<std::string>{});
}

}  // namespace
}  // namespace joindots
