#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/error.hpp"
#include "encode/dice.hpp"
#include "encode/encode_file.hpp"
#include "encode/encoder.hpp"
#include "encode/secret.hpp"
#include "ingest/sample_rows.hpp"
#include "io/csv_reader.hpp"
#include "records/normalise.hpp"
#include "test_support.hpp"

namespace joindots::encode {
namespace {

using testing::sample_header;
using testing::sample_row;
using testing::TempDir;
using testing::write_file;

const char* kSecretA = "3f9c1a7e5b2d8064c1e9a7f35b0d2c8e4a6f1b9d7c3e5a0f2b8d6c4e1a9f7b3d";
const char* kSecretB = "8d1e6b3a9f0c5e7d2b4a8f6c1e3d9b7a5c0f2e4d6b8a1c3e5f7d9b0a2c4e6f81";

Record person(std::string given, std::string family, std::string dob, std::string postcode) {
  Record r;
  r.record_id = "R1";
  r.event_date = Date{2021, 3, 4};
  r.given_name = std::move(given);
  r.family_name = std::move(family);
  r.dob = Date::parse(dob);
  r.sex = Sex::F;
  r.postcode = std::move(postcode);
  return r;
}

double dice(const EncodedRecord& a, const EncodedRecord& b) {
  std::uint16_t shared = 0;
  and_counts(a.clk.data(), b.clk.data(), 1, a.clk.size(), &shared);
  return dice_from_counts(shared, filter_weight(a.clk.data(), a.clk.size()), filter_weight(b.clk.data(), b.clk.size()));
}

TEST(EncodeSecret, FingerprintFollowsTheSecretAndNotItsSurroundingSpace) {
  const auto a = Secret::from_text(kSecretA), a2 = Secret::from_text(std::string("  ") + kSecretA + "\n");
  const auto b = Secret::from_text(kSecretB);
  EXPECT_EQ(a.fingerprint(), a2.fingerprint());
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.fingerprint().size(), 32u);
  EXPECT_EQ(a.fingerprint().find(std::string(kSecretA).substr(0, 8)), std::string::npos);
  EXPECT_NE(a.derive(10), a.derive(11));  // every use its own key
}

TEST(EncodeSecret, WeakSecretsAreRefused) {
  EXPECT_THROW(Secret::from_text("short"), UsageError);
  EXPECT_THROW(Secret::from_text(std::string(40, 'a') + "bcd"), UsageError);  // 4 different characters
}

TEST(EncodeSecret, TheFileMustBeTheOwnersAlone) {
  TempDir dir;
  const auto path = dir / "secret";
  write_file(path, std::string(kSecretA) + "\n");
  ::chmod(path.c_str(), 0644);
  try {
    Secret::from_file(path);
    FAIL() << "a group-readable secret was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--secret-file " + path.string() + ": its group or others"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
  ::chmod(path.c_str(), 0400);
  EXPECT_EQ(Secret::from_file(path).fingerprint(), Secret::from_text(kSecretA).fingerprint());
  EXPECT_THROW(Secret::from_file(dir / "missing"), UsageError);
}

TEST(EncodeRecord, SimilarRecordsGiveSimilarFiltersAndOthersDoNot) {
  const RecordEncoder enc(Secret::from_text(kSecretA));
  const auto amelia = enc.encode(person("Amelia", "O'Neill", "2007-05-14", "TS24 7QS"));
  EXPECT_EQ(amelia.clk.size(), 16u);
  EXPECT_EQ(dice(amelia, enc.encode(person("Amelia", "O'Neill", "2007-05-14", "TS24 7QS"))), 1.0);
  // A typo, a missing apostrophe and case: still most bits shared.
  const double typo = dice(amelia, enc.encode(person("AMELIA", "ONiell", "2007-05-14", "TS24 7QS")));
  const double other = dice(amelia, enc.encode(person("Jack", "Brown", "2009-11-02", "M1 1AE")));
  EXPECT_GT(typo, 0.8);
  EXPECT_LT(other, 0.35);
  const auto weight = filter_weight(amelia.clk.data(), amelia.clk.size());
  EXPECT_GT(weight, 150u);  // ~ 30 elements at 4-15 bits, few collisions
  EXPECT_LT(weight, 512u);
  // The same record under another secret shares only chance bits.
  const RecordEncoder enc_b(Secret::from_text(kSecretB));
  EXPECT_LT(dice(amelia, enc_b.encode(person("Amelia", "O'Neill", "2007-05-14", "TS24 7QS"))), 0.45);
}

TEST(EncodeRecord, TokensAreKeyedPerColumnAndEmptyWithoutAValue) {
  const RecordEncoder enc(Secret::from_text(kSecretA)), enc_b(Secret::from_text(kSecretB));
  auto r = person("Amelia", "O'Neill", "2007-05-14", "TS24 7QS");
  r.nhs_number = "9434765919";
  const auto a = enc.encode(r), again = enc.encode(r), b = enc_b.encode(r);
  auto column = [](std::string_view name) {
    for (std::size_t t = 0; t < kTokenColumns.size(); ++t)
      if (kTokenColumns[t].column == name) return t;
    throw std::logic_error("no such token column");
  };
  EXPECT_EQ(a.tokens, again.tokens);
  EXPECT_EQ(a.tokens[column("tok_nhs_number")].size(), 22u);
  EXPECT_NE(a.tokens[column("tok_nhs_number")], b.tokens[column("tok_nhs_number")]);
  EXPECT_TRUE(a.tokens[column("tok_upn")].empty());
  EXPECT_NE(a.tokens[column("blk_dob")], a.tokens[column("blk_postcode")]);
  // Only the day differs: the names-and-year key agrees, the full-date key does not.
  const auto d = enc.encode(person("Amelia", "O'Neill", "2007-05-15", "TS24 7QS"));
  EXPECT_EQ(a.tokens[column("blk_names_year")], d.tokens[column("blk_names_year")]);
  EXPECT_NE(a.tokens[column("blk_dob")], d.tokens[column("blk_dob")]);
  // A typo in the given name past its first letter (another soundex code: A140 against
  // A540): the names' key differs, the family name's code with the given name's first
  // letter does not; the given name's code with the family name's first letter does not
  // meet it.
  const auto t = enc.encode(person("Abelia", "O'Neill", "2007-05-14", "TS24 7QS"));
  EXPECT_NE(a.tokens[column("blk_names")], t.tokens[column("blk_names")]);
  EXPECT_EQ(a.tokens[column("blk_family_given1")], t.tokens[column("blk_family_given1")]);
  EXPECT_NE(a.tokens[column("blk_given_family1")], t.tokens[column("blk_given_family1")]);
  const auto f = enc.encode(person("Amelia", "Orneill", "2007-05-14", "TS24 7QS"));  // O654, not O540
  EXPECT_NE(a.tokens[column("blk_names")], f.tokens[column("blk_names")]);
  EXPECT_EQ(a.tokens[column("blk_given_family1")], f.tokens[column("blk_given_family1")]);
  EXPECT_NE(a.tokens[column("blk_family_given1")], f.tokens[column("blk_family_given1")]);
  EXPECT_EQ(a.tokens[column("blk_family_given1")].size(), 22u);
}

TEST(EncodeRecord, NamesRecordedTheOtherWayRoundGiveTheSameNamesToken) {
  const RecordEncoder enc(Secret::from_text(kSecretA));
  const auto a = enc.encode(person("Amelia", "Brown", "2007-05-14", "TS24 7QS"));
  const auto swapped = enc.encode(person("Brown", "Amelia", "2007-05-14", "TS24 7QS"));
  const auto other = enc.encode(person("Amelia", "Browning", "2007-05-14", "TS24 7QS"));
  std::size_t names = 0, dob_family = 0;
  for (std::size_t t = 0; t < kTokenColumns.size(); ++t) {
    if (kTokenColumns[t].column == "blk_names") names = t;
    if (kTokenColumns[t].column == "blk_dob_family") dob_family = t;
  }
  EXPECT_EQ(a.tokens[names], swapped.tokens[names]);  // the two codes in sorted order
  EXPECT_NE(a.tokens[names], other.tokens[names]);
  EXPECT_NE(a.tokens[dob_family], swapped.tokens[dob_family]);  // the other keys keep their order
}

TEST(EncodeRecord, ElementsAreTheNormalisedParts) {
  link::LinkRecord r;
  r[link::Field::given_name] = "ann";
  r.dob = link::LinkDate{2007, 5, 0};
  r.postcode = link::split_postcode("TS24 7QS");
  const auto e = RecordEncoder::clk_elements(r);
  EXPECT_EQ(e[0], (std::vector<std::string>{"_a", "an", "nn", "n_"}));
  EXPECT_EQ(e[3], (std::vector<std::string>{"y2007", "m5"}));
  EXPECT_EQ(e[5], (std::vector<std::string>{"TS", "TS24", "TS247", "TS247QS"}));
}

std::string plain_file() {
  return sample_header() + "\n" + sample_row(1) + "\n" +
         sample_row(2, {{"given_name", "Zebedee"}, {"family_name", "Quartermaine"}, {"dob", "2008-02-29"},
                        {"postcode", "M1 1AE"}}) + "\n";
}

TEST(EncodeFile, KeepsTheNonIdentifyingColumnsAndNoIdentifier) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  write_file(dir / "in/force.csv", plain_file());
  const RecordEncoder enc(Secret::from_text(kSecretA));
  const auto results = encode_files(enc, testing::test_areas(), {dir / "in/force.csv"}, dir / "out");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].rows, 2);
  const std::string text = testing::read_file(dir / "out/force.csv");
  for (const char* plaintext : {"Amelia", "AMELIA", "amelia", "Neill", "NEILL", "Zebedee", "Quartermaine",
                                "2007-05", "2008-02-29", "TS24", "M1 1AE", "9434765919", "Millie"})
    EXPECT_EQ(text.find(plaintext), std::string::npos) << plaintext;
  CsvReader reader(dir / "out/force.csv");
  EXPECT_EQ(reader.header(), encoded_header({}));
  CsvRow row;
  ASSERT_TRUE(reader.next(row));
  const auto& h = reader.header();
  auto at = [&](std::string_view name) {
    return row.fields[static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin())];
  };
  EXPECT_EQ(at("record_id"), "R000001");
  EXPECT_EQ(at("event_date"), "2021-03-04");
  EXPECT_EQ(at("lad_cd"), "E06000001");
  EXPECT_EQ(at("sex"), "F");
  EXPECT_EQ(at("age_band"), "13-15");
  EXPECT_EQ(at("clk_scheme"), "joindots-clk-2/1024");
  EXPECT_EQ(at("key_fingerprint"), enc.fingerprint());
  std::vector<unsigned char> clk(128);
  EXPECT_TRUE(from_base64(at("clk"), clk.data(), clk.size()));
  // Nothing but the encoded file was left in the folder.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "out"), {}), 1);
}

TEST(EncodeFile, ABadRowNamesFileLineAndFieldAndNothingIsWritten) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  write_file(dir / "in/a.csv", plain_file());
  write_file(dir / "in/b.csv",
             sample_header() + "\n" + sample_row(1) + "\n" + sample_row(2, {{"dob", "2007-13-01"}}) + "\n");
  const RecordEncoder enc(Secret::from_text(kSecretA));
  try {
    encode_files(enc, testing::test_areas(), {dir / "in/a.csv", dir / "in/b.csv"}, dir / "out");
    FAIL() << "a bad row was encoded";
  } catch (const BadInputError& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].file, (dir / "in/b.csv").string());
    EXPECT_EQ(e.issues()[0].line, 3);
    EXPECT_EQ(e.issues()[0].field, "dob");
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir / "out"));  // not even a.csv, nor a temporary file
}

TEST(EncodeFile, RefusesToReplaceItsInputOrMergeTwoNames) {
  TempDir dir;
  write_file(dir / "a.csv", plain_file());
  std::filesystem::create_directories(dir / "other");
  write_file(dir / "other/a.csv", plain_file());
  const RecordEncoder enc(Secret::from_text(kSecretA));
  EXPECT_THROW(encode_files(enc, testing::test_areas(), {dir / "a.csv"}, dir.path()), UsageError);
  EXPECT_THROW(encode_files(enc, testing::test_areas(), {dir / "a.csv", dir / "other/a.csv"}, dir / "out"), UsageError);
  EXPECT_EQ(testing::read_file(dir / "a.csv"), plain_file());
}

TEST(EncodeCli, EncodesWithASecretFileOnlyTheOwnerReads) {
  TempDir dir;
  write_file(dir / "a.csv", plain_file());
  write_file(dir / "secret", kSecretA);
  ::chmod((dir / "secret").c_str(), 0640);
  const std::string args = "encode --quiet --secret-file " + (dir / "secret").string() + " --out " +
                           (dir / "out").string() + " " + (dir / "a.csv").string();
  const auto refused = testing::run_cli(args);
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("chmod 600"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out/a.csv"));
  ::chmod((dir / "secret").c_str(), 0600);
  const auto ok = testing::run_cli(args + " --json");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find(Secret::from_text(kSecretA).fingerprint()), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "out/a.csv"));
  write_file(dir / "bad.csv", sample_header() + "\n" + sample_row(1, {{"sex", "X"}}) + "\n");
  const auto bad = testing::run_cli("encode --quiet --secret-file " + (dir / "secret").string() + " --out " +
                                    (dir / "out2").string() + " " + (dir / "bad.csv").string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find((dir / "bad.csv").string() + ":2: sex:"), std::string::npos) << bad.err;
}

TEST(EncodeCli, HardeningOptionsGoIntoTheSchemeAndBadOnesAreUsageErrors) {
  TempDir dir;
  write_file(dir / "a.csv", plain_file());
  write_file(dir / "secret", kSecretA);
  ::chmod((dir / "secret").c_str(), 0600);
  const std::string base = "encode --quiet --secret-file " + (dir / "secret").string() + " " + (dir / "a.csv").string();
  const auto ok =
      testing::run_cli(base + " --json --salt birth-year --fold --flip 0.05 --out " + (dir / "out").string());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("joindots-clk-2/512+salt-birth-year+fold+flip-0.05"), std::string::npos) << ok.out;
  EXPECT_NE(testing::read_file(dir / "out/a.csv").find(",joindots-clk-2/512+salt-birth-year+fold+flip-0.05,"),
            std::string::npos);
  const auto one_key = testing::run_cli(base + " --json --names-one-key --out " + (dir / "one").string());
  ASSERT_EQ(one_key.exit_code, 0) << one_key.err;
  EXPECT_NE(testing::read_file(dir / "one/a.csv").find(",joindots-clk-2/1024+names-one-key,"), std::string::npos);
  for (const auto& [options, message] : std::vector<std::pair<std::string, std::string>>{
           {"--salt age", "--salt age: none, sex or birth-year"},
           {"--flip 0.3", "--flip 0.3: a probability from 0 to 0.25"},
           {"--fold --bits 256", "--fold: 256 bits folded are 128"}}) {
    const auto bad = testing::run_cli(base + " " + options + " --out " + (dir / "bad").string());
    EXPECT_EQ(bad.exit_code, 1) << options;
    EXPECT_NE(bad.err.find(message), std::string::npos) << bad.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "bad/a.csv")) << options;
  }
}

}  // namespace
}  // namespace joindots::encode

namespace joindots::encode {
namespace {

// Issue 16, item 5: the hardenings of the encoding (docs/privacy.md).
TEST(EncodeHardening, SchemeTextsRoundTripAndOnlyCanonicalOnesParse) {
  for (const char* text : {"joindots-clk-2/1024", "joindots-clk-2/512+fold", "joindots-clk-2/1024+salt-sex",
                           "joindots-clk-2/2048+salt-birth-year+flip-0.02",
                           "joindots-clk-2/512+salt-birth-year+fold+flip-0.05", "joindots-clk-2/1024+names-one-key",
                           "joindots-clk-2/512+names-one-key+salt-sex+fold"}) {
    const auto info = parse_scheme(text);
    ASSERT_TRUE(info) << text;
    EXPECT_EQ(scheme_text(*info), text);
  }
  EXPECT_EQ(parse_scheme("joindots-clk-2/512+salt-birth-year+fold+flip-0.05")->hardening,
            (Hardening{.salt = SaltBy::birth_year, .fold = true, .flip = 0.05}));
  for (const char* text : {"joindots-clk-2/1000", "joindots-clk-2/1024+fold+salt-sex", "joindots-clk-2/1024+salt-none",
                           "joindots-clk-2/1024+salt-age", "joindots-clk-2/1024+flip-0.5", "joindots-clk-2/1024+flip-0",
                           "joindots-clk-2/1024+flip-0.050", "joindots-clk-2/1024+", "joindots-clk-1/1024",
                           "joindots-clk-2/1024+fold+names-one-key"})
    EXPECT_FALSE(parse_scheme(text)) << text;
  const Secret secret = Secret::from_text(kSecretA);
  EXPECT_THROW(RecordEncoder(secret, 1024, {.flip = 0.3}), UsageError);
  EXPECT_THROW(RecordEncoder(secret, 256, {.fold = true}), UsageError);
  EXPECT_EQ(RecordEncoder(secret, 1024, {.fold = true}).scheme(), "joindots-clk-2/512+fold");
}

TEST(EncodeHardening, NamesUnderOneKeySetTheSameBitsEitherWayRound) {
  const Secret secret = Secret::from_text(kSecretA);
  const RecordEncoder apart(secret), one_key(secret, 1024, {.names_one_key = true});
  EXPECT_EQ(one_key.scheme(), "joindots-clk-2/1024+names-one-key");
  EXPECT_EQ(parse_scheme(one_key.scheme())->hardening, (Hardening{.names_one_key = true}));
  const Record r = person("Ann", "Lee", "2008-05-06", "TS24 7QS");
  const Record swapped = person("Lee", "Ann", "2008-05-06", "TS24 7QS");
  EXPECT_EQ(one_key.encode(r).clk, one_key.encode(swapped).clk);
  EXPECT_NE(apart.encode(r).clk, apart.encode(swapped).clk);
  EXPECT_NE(one_key.encode(r).clk, apart.encode(r).clk);
  EXPECT_EQ(one_key.encode(r).tokens, apart.encode(r).tokens);  // the tokens are the scheme's
}

TEST(EncodeHardening, FoldingXorsTheHalves) {
  const Secret secret = Secret::from_text(kSecretA);
  const RecordEncoder plain(secret), folded(secret, 1024, {.fold = true});
  const Record r = person("Ann", "Lee", "2008-05-06", "TS24 7QS");
  const auto whole = plain.encode(r).clk, half = folded.encode(r).clk;
  ASSERT_EQ(whole.size(), 16u);
  ASSERT_EQ(half.size(), 8u);
  for (std::size_t w = 0; w < 8; ++w) EXPECT_EQ(half[w], whole[w] ^ whole[w + 8]) << w;
  EXPECT_EQ(folded.encode(r).tokens, plain.encode(r).tokens);  // tokens are not hardened
}

TEST(EncodeHardening, FlipsChangeTheShareOfBitsAskedForTheSameWayEachTime) {
  const Secret secret = Secret::from_text(kSecretA);
  const RecordEncoder plain(secret);
  for (double p : {0.02, 0.1}) {
    const RecordEncoder flipped(secret, 1024, {.flip = p});
    std::size_t differ = 0, bits = 0;
    for (int i = 0; i < 300; ++i) {
      const Record r = person("Ann" + std::to_string(i), "Lee", fmt::format("20{:02}-05-06", i % 20), "TS24 7QS");
      const auto a = plain.encode(r).clk, b = flipped.encode(r).clk;
      EXPECT_EQ(b, flipped.encode(r).clk);  // the same record, the same flips
      for (std::size_t w = 0; w < a.size(); ++w) differ += static_cast<std::size_t>(__builtin_popcountll(a[w] ^ b[w]));
      bits += a.size() * 64;
    }
    // 307,200 bits: the share flipped has a standard error under 0.0006 at p = 0.1.
    EXPECT_NEAR(static_cast<double>(differ) / static_cast<double>(bits), p, 0.003) << p;
  }
}

TEST(EncodeHardening, SaltingSplitsANameByTheAttributeAndLeavesTheDateAlone) {
  const Secret secret = Secret::from_text(kSecretA);
  const RecordEncoder plain(secret), by_year(secret, 1024, {.salt = SaltBy::birth_year}),
      by_sex(secret, 1024, {.salt = SaltBy::sex});
  const Record a = person("Ann", "Lee", "2008-05-06", "TS24 7QS"), b = person("Ann", "Lee", "2009-05-06", "TS24 7QS"),
               c = person("Mary", "Lee", "2008-01-02", "M1 1AA");
  constexpr std::size_t kFamily = 1, kDob = 3;
  EXPECT_EQ(plain.field_filter(a, kFamily), plain.field_filter(b, kFamily));
  EXPECT_NE(by_year.field_filter(a, kFamily), by_year.field_filter(b, kFamily));  // another year, other bits
  EXPECT_EQ(by_year.field_filter(a, kFamily), by_year.field_filter(c, kFamily));  // the same year, the same bits
  EXPECT_EQ(by_year.field_filter(a, kDob), plain.field_filter(a, kDob));
  EXPECT_NE(by_year.field_filter(a, kFamily), plain.field_filter(a, kFamily));
  Record male = a;
  male.sex = Sex::M;
  EXPECT_NE(by_sex.field_filter(a, kFamily), by_sex.field_filter(male, kFamily));
  EXPECT_EQ(by_sex.field_filter(a, kFamily), by_sex.field_filter(b, kFamily));
  // The whole CLK is the union of its fields' filters (unhardened: no fold, no flips).
  std::vector<std::uint64_t> uni(16, 0);
  for (std::size_t f = 0; f < kClkFields.size(); ++f) {
    const auto part = by_year.field_filter(a, f);
    for (std::size_t w = 0; w < 16; ++w) uni[w] |= part[w];
  }
  EXPECT_EQ(uni, by_year.encode(a).clk);
}

}  // namespace
}  // namespace joindots::encode
