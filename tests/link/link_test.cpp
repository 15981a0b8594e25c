#include "link/link.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "link/csv_input.hpp"
#include "link/evaluate.hpp"
#include "test_support.hpp"

namespace joindots::link {
namespace {

std::filesystem::path linkage_dir() { return joindots::testing::test_data_dir() / "linkage"; }

struct LinkRun {
  CsvLinkInput input;
  LinkConfig config;
  LinkResult result;
  Evaluation ev;
};

LinkRun run_link(const std::vector<std::filesystem::path>& files, const std::string& toml,
        std::vector<ReviewDecision> decisions = {}) {
  LinkRun r;
  const LinkSettings s = parse_link_settings(toml, "test.toml");
  r.input = read_link_csv(files, s.mapping, "", true);
  r.config = resolve_link_config(s, r.input.available);
  LinkOptions opt;
  opt.cross_source_only = files.size() > 1;
  opt.source_names = r.input.source_names;
  opt.decisions = std::move(decisions);
  r.result = link_records(r.input.records, r.config, opt);
  std::vector<std::uint32_t> source;
  for (const auto& rec : r.input.records) source.push_back(rec.source);
  if (!r.input.truth.empty())
    r.ev = evaluate(r.result.cluster, r.input.truth, opt.cross_source_only ? &source : nullptr);
  return r;
}

constexpr const char* kFebrl = R"(
[columns]
id = "rec_id"
truth = "entity_id"
given_name = "given_name"
family_name = "surname"
dob = "date_of_birth"
postcode = "postcode"
locality = "suburb"
address = "address_1"
identifier = "soc_sec_id"
)";

TEST(LinkEndToEnd, Febrl1DedupeAgainstTruth) {
  const LinkRun r = run_link({linkage_dir() / "febrl1" / "febrl1.csv"}, kFebrl);
  EXPECT_EQ(r.input.records.size(), 1000u);
  EXPECT_GE(r.ev.f1, 0.98) << "precision " << r.ev.precision << " recall " << r.ev.recall;
  EXPECT_GE(r.ev.bcubed_recall, 0.98);
  EXPECT_EQ(r.ev.true_entities, 500);
  EXPECT_NEAR(static_cast<double>(r.ev.found_entities), 500, 10);
  EXPECT_TRUE(r.result.model.em_converged);
  // Patterns are few: EM's cost does not grow with pairs.
  EXPECT_LT(r.result.patterns.size(), static_cast<std::size_t>(r.result.candidate_pairs));
}

TEST(LinkEndToEnd, RLdata500WithDateParts) {
  const LinkRun r = run_link({linkage_dir() / "RLdata500" / "RLdata500.csv"}, R"(
[columns]
id = "rec_id"
truth = "entity_id"
given_name = "fname_c1"
family_name = "lname_c1"
dob_year = "by"
dob_month = "bm"
dob_day = "bd"
)");
  EXPECT_GE(r.ev.f1, 0.90) << "precision " << r.ev.precision << " recall " << r.ev.recall;
}

TEST(LinkEndToEnd, SameSeedSameClusters) {
  const auto file = linkage_dir() / "RLdata500" / "RLdata500.csv";
  const std::string toml = "[columns]\ngiven_name = \"fname_c1\"\nfamily_name = \"lname_c1\"\ndob_year = \"by\"\n";
  const LinkRun a = run_link({file}, toml), b = run_link({file}, toml);
  EXPECT_EQ(a.result.cluster, b.result.cluster);
}

TEST(LinkEndToEnd, ClericalDecisionsOverrideTheModel) {
  const auto file = linkage_dir() / "febrl1" / "febrl1.csv";
  const LinkRun before = run_link({file}, kFebrl);
  // Pick a linked pair and a pair in different clusters; reverse both decisions.
  const LinkRecord* a = nullptr;
  const LinkRecord* b = nullptr;
  std::uint32_t ia = 0, ib = 0;
  for (const auto& p : before.result.pairs)
    if (before.result.cluster[p.a] == before.result.cluster[p.b]) {
      ia = p.a, ib = p.b;
      a = &before.input.records[p.a];
      b = &before.input.records[p.b];
      break;
    }
  ASSERT_TRUE(a && b);
  const std::string src = before.input.source_names[0];
  std::uint32_t ic = 0;
  while (before.result.cluster[ic] == before.result.cluster[ia]) ++ic;
  const LinkRun after = run_link({file}, kFebrl,
                        {{src, a->id, src, b->id, false}, {src, a->id, src, before.input.records[ic].id, true}});
  EXPECT_EQ(after.result.decisions_applied, 2);
  EXPECT_NE(after.result.cluster[ia], after.result.cluster[ib]);
  EXPECT_EQ(after.result.cluster[ia], after.result.cluster[ic]);
}

TEST(LinkEndToEnd, ReviewFileRoundTrip) {
  joindots::testing::TempDir dir;
  const LinkRun r = run_link({linkage_dir() / "RLdata500" / "RLdata500.csv"},
                    "[columns]\nid=\"rec_id\"\ngiven_name = \"fname_c1\"\nfamily_name = \"lname_c1\"\n"
                    "dob_year = \"by\"\n[review]\nlow = 0.0\nhigh = 1.0\n");
  const auto path = dir / "review.csv";
  const std::size_t n = write_review_file(path, r.result.pairs, r.input.records, r.input.source_names,
                                          r.result.model, 0.0, 1.0);
  EXPECT_GT(n, 0u);
  EXPECT_TRUE(read_review_decisions(path).empty());  // nothing decided yet
  joindots::testing::write_file(dir / "bad.csv", "source_a,id_a,source_b,id_b,decision\nf,1,f,2,perhaps\n");
  EXPECT_THROW(read_review_decisions(dir / "bad.csv"), BadInputError);
}

// A mapped column the file lacks is a configuration that does not fit the input: exit 1,
// like every other config error (docs/errors.md), naming FILE:1: header.
TEST(LinkEndToEnd, MissingColumnIsConfigError) {
  const LinkSettings s = parse_link_settings("[columns]\ngiven_name = \"forename\"\n", "t.toml");
  try {
    read_link_csv({linkage_dir() / "febrl1" / "febrl1.csv"}, s.mapping, "", true);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("febrl1.csv:1: header: no column 'forename'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace joindots::link
