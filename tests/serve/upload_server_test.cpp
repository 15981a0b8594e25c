// Agency deliveries over HTTPS (POST /api/v1/deliveries, serve/upload_routes.cpp), over real
// TLS sockets with cpp-httplib's SSLClient: a good file goes in once, a bad row or another
// organisation's records or an oversized body leave the store as it was, the wrong caller is
// refused before the body is read, and every outcome is audited with its caller.
#include <gtest/gtest.h>

#include "encode/encode_file.hpp"
#include "encode/encoder.hpp"
#include "encode/secret.hpp"
#include "serve/tls_fixture.hpp"
#include "simulated_country.hpp"
#include "store/audit_chain.hpp"

namespace joindots::serve {

namespace {

using std::chrono::milliseconds;

constexpr const char* kName = "police-2024-05.csv";

std::int64_t count_rows(const std::filesystem::path& db, const std::string& table) {
  SqliteStore store(db, false);
  auto st = store.database().prepare("SELECT count(*) FROM " + table);
  st.step();
  return st.column_int(0);
}

class UploadTest : public TlsServerTest {
 protected:
  void adjust(ServerOptions& opt) override {
    TlsServerTest::adjust(opt);
    opt.limits.max_upload_bytes = 64 * 1024;
  }
  httplib::Result deliver(const std::string& token, const std::string& body, const std::string& name = kName) {
    return tls_test::client(port_, cert_)->Post(("/api/v1/deliveries?name=" + name).c_str(), bearer(token), body,
                                                "text/csv");
  }
  std::int64_t records() { return count_rows(dir_ / "hub.db", "records"); }
  std::int64_t files() { return count_rows(dir_ / "hub.db", "files"); }
  std::string actor(const std::string& token) {
    SqliteStore store(dir_ / "hub.db", false);
    return "account:" + std::to_string(store.account_by_token_id(*accounts::token_id_of(token))->account_id);
  }
  /// The audit rows of deliveries: (actor, outcome).
  std::vector<std::pair<std::string, std::int64_t>> delivery_rows() {
    std::vector<std::pair<std::string, std::int64_t>> rows;
    AuditTrail::open((dir_ / "hub.db").string())->for_each_row([&](const AuditRow& r) {
      if (r.action.rfind("POST /api/v1/deliveries", 0) == 0) rows.emplace_back(r.actor, r.outcome);
    });
    return rows;
  }
};

std::string file_with(int rows, int first, const std::map<std::string, std::string>& overrides, int at = -1) {
  std::string out = testing::sample_header() + "\n";
  for (int i = 0; i < rows; ++i)
    out += testing::sample_row(first + i, at < 0 || i == at ? overrides : std::map<std::string, std::string>{}) + "\n";
  return out;
}

}  // namespace

TEST_F(UploadTest, AGoodFileGoesInOnceAndTheSameFileAgainChangesNothing) {
  const auto before = records();
  auto r = deliver(agency_, testing::sample_file(20, 100));
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 201) << r->body;
  auto body = nlohmann::json::parse(r->body);
  EXPECT_EQ(body["status"], "ingested");
  EXPECT_EQ(body["rows"], 20);
  EXPECT_EQ(records(), before + 20);
  // The agency sees it among its deliveries, under the name it gave.
  auto mine = nlohmann::json::parse(tls_get("/api/v1/deliveries", agency_)->body)["deliveries"];
  ASSERT_EQ(mine.size(), 2u) << mine;
  EXPECT_EQ(mine[1]["name"], kName);
  EXPECT_EQ(mine[1]["rows"], 20);

  // Delivered again (another name): 200, said to be there already, nothing duplicated.
  auto again = deliver(agency_, testing::sample_file(20, 100), "resent.csv");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  body = nlohmann::json::parse(again->body);
  EXPECT_EQ(body["status"], "already_present");
  EXPECT_NE(body["message"].get<std::string>().find(kName), std::string::npos) << body;
  EXPECT_EQ(records(), before + 20);
  EXPECT_EQ(files(), 3);
  EXPECT_EQ(delivery_rows(), (std::vector<std::pair<std::string, std::int64_t>>{{actor(agency_), 201},
                                                                                 {actor(agency_), 200}}));
}

// The public answers are served from memory, built once per state of the store: a delivery
// changes that state, so the very next public answer shows it (no wait, no stale copy).
TEST_F(UploadTest, ADeliveryShowsInTheNextPublicAnswer) {
  const auto summary = [&] { return nlohmann::json::parse(tls_get("/api/v1/summary")->body); };
  const auto before = summary();
  const auto builds = server_->results_builds();
  EXPECT_EQ(summary(), before);
  EXPECT_EQ(server_->results_builds(), builds);  // asked again: served from memory
  ASSERT_EQ(deliver(agency_, testing::sample_file(20, 300))->status, 201);
  const auto after = summary();
  EXPECT_EQ(after["files"], before["files"].get<int>() + 1) << after;
  EXPECT_EQ(server_->results_builds(), builds + 1);
}

TEST_F(UploadTest, ABadRowIs400NamingItsLineAndFieldAndNothingIsWritten) {
  const auto before = records();
  // The third data row (line 4) has a month 13 in its date of birth.
  auto r = deliver(agency_, file_with(10, 200, {{"dob", "2007-13"}}, 2));
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 400) << r->body;
  const auto body = nlohmann::json::parse(r->body);
  ASSERT_EQ(body["problems"].size(), 1u) << body;
  const auto& p = body["problems"][0];
  EXPECT_EQ(p["file"], kName) << p;  // the delivered name, not where the server spooled it
  EXPECT_EQ(p["line"], 4) << p;
  EXPECT_EQ(p["field"], "dob") << p;
  EXPECT_NE(body["error"].get<std::string>().find("nothing from it was written"), std::string::npos);
  EXPECT_EQ(records(), before);
  EXPECT_EQ(files(), 2);
  // A file that is not CSV at all names the file too.
  auto junk = deliver(agency_, std::string("\x89PNG\r\n\x1a\n", 8));
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->status, 400) << junk->body;
  EXPECT_EQ(nlohmann::json::parse(junk->body)["problems"][0]["file"], kName) << junk->body;
  EXPECT_EQ(files(), 2);
}

TEST_F(UploadTest, AnotherOrganisationsRecordsAre403AndNothingIsWritten) {
  const auto before = records();
  // One row of ten is E23000014's: the agency account is E23000013's.
  auto r = deliver(agency_, file_with(10, 300, {{"source_org", "E23000014"}}, 5));
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 403) << r->body;
  const auto body = nlohmann::json::parse(r->body);
  ASSERT_EQ(body["problems"].size(), 1u) << body;
  EXPECT_EQ(body["problems"][0]["line"], 7);
  EXPECT_EQ(body["problems"][0]["field"], "source_org");
  EXPECT_EQ(records(), before);
  // Nor may it deliver again a file the other organisation delivered (fixture's b.csv).
  const auto theirs = testing::read_file(dir_ / "b.csv");
  auto copy = deliver(agency_, theirs, "b.csv");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->status, 403) << copy->body;
  EXPECT_EQ(deliver(other_agency_, theirs, "b.csv")->status, 200);
  EXPECT_EQ(files(), 2);
}

TEST_F(UploadTest, TheWrongCallerIsRefusedAndNothingIsWritten) {
  const auto file = testing::sample_file(5, 400);
  std::string wrong = agency_;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(deliver(wrong, file)->status, 401);
  EXPECT_EQ(deliver("", file)->status, 401);
  EXPECT_EQ(deliver(analyst_, file)->status, 403);
  EXPECT_EQ(deliver(admin_, file)->status, 403);
  EXPECT_EQ(deliver(revoked_, file)->status, 401);
  EXPECT_EQ(deliver(agency_, file, "../etc/passwd")->status, 400);
  EXPECT_EQ(tls_test::client(port_, cert_)->Post("/api/v1/deliveries", bearer(agency_), file, "text/csv")->status,
            400);  // no name
  EXPECT_EQ(files(), 2);
  EXPECT_EQ(delivery_rows(), (std::vector<std::pair<std::string, std::int64_t>>{{"anonymous", 401},
                                                                                 {"anonymous", 401},
                                                                                 {actor(analyst_), 403},
                                                                                 {actor(admin_), 403},
                                                                                 {"anonymous", 401},
                                                                                 {actor(agency_), 400},
                                                                                 {actor(agency_), 400}}));
  // Every other route still refuses every method but GET and HEAD; this one takes POST too.
  auto put = tls_test::client(port_, cert_)->Put("/api/v1/deliveries", bearer(agency_), file, "text/csv");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(put->get_header_value("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(tls_test::client(port_, cert_)->Post("/api/v1/summary", bearer(agency_), file, "text/csv")->status, 405);
  const auto v = verify_audit_chain(*AuditTrail::open((dir_ / "hub.db").string()));
  EXPECT_TRUE(v.intact) << v.problem;
}

TEST_F(UploadTest, AnOversizedBodyIs413BeforeItIsReadAndAudited) {
  // Over the 64 KiB cap of this server: answered 413, the store as it was.
  std::string big = testing::sample_file(700, 500);
  ASSERT_GT(big.size(), 64u * 1024);
  auto r = deliver(agency_, big);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 413) << r->body;
  EXPECT_EQ(files(), 2);
  // A head announcing a gigabyte is answered at once, with no body sent at all.
  tls_test::RawTlsConnection c(port_);
  ASSERT_TRUE(c.ok());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("POST /api/v1/deliveries?name=big.csv HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     agency_ + "\r\nContent-Length: 1073741824\r\n\r\n"));
  const auto answer = c.receive(milliseconds(4000));
  EXPECT_EQ(raw::status_of(answer), 413) << answer;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(delivery_rows(), (std::vector<std::pair<std::string, std::int64_t>>{{actor(agency_), 413},
                                                                                 {actor(agency_), 413}}));
  // The server goes on answering.
  EXPECT_EQ(deliver(agency_, testing::sample_file(5, 600))->status, 201);
}

// An encoded agency file (docs/schema.md, "Encoded mode") into an encoded store, over the same
// route; a plaintext file into that store is refused naming the file, nothing written.
TEST(EncodedUpload, AnEncodedFileGoesIntoAnEncodedStore) {
  testing::TempDir dir;
  const auto areas = testing::test_areas();
  std::filesystem::create_directories(dir / "plain");
  std::filesystem::create_directories(dir / "encoded");
  testing::write_file(dir / "plain" / "first.csv", testing::sample_file(15, 0));
  testing::write_file(dir / "plain" / "second.csv", testing::sample_file(15, 15));
  const encode::RecordEncoder encoder(encode::Secret::from_text(testing::kTestSecret));
  encode::encode_files(encoder, areas, {dir / "plain" / "first.csv", dir / "plain" / "second.csv"}, dir / "encoded");
  std::string token;
  {
    SqliteStore store(dir / "hub.db", true);
    ingest_file(store, areas, dir / "encoded" / "first.csv");
    const auto t = accounts::issue_token();
    Account a;
    a.token_id = t.token_id;
    a.token_hash = t.hash;
    a.org = "E23000013";
    a.role = AccountRole::agency;
    store.add_account(a);
    token = t.token;
  }
  const auto cert = tls_test::make_certificate(dir.path());
  ServerOptions opt;
  opt.db = (dir / "hub.db").string();
  opt.port = 0;
  opt.data_dir = testing::test_data_dir();
  opt.web_dist = JOINDOTS_TEST_WEB_DIST;
  opt.tls_cert = cert.cert;
  opt.tls_key = cert.key;
  DashboardServer server(opt);
  const int port = server.bind();
  std::thread serving([&] { server.listen(); });
  const httplib::Headers auth{{"Authorization", "Bearer " + token}};
  auto r = tls_test::client(port, cert)->Post("/api/v1/deliveries?name=second.csv", auth,
                                              testing::read_file(dir / "encoded" / "second.csv"), "text/csv");
  auto plain = tls_test::client(port, cert)->Post("/api/v1/deliveries?name=plain.csv", auth,
                                                  testing::read_file(dir / "plain" / "second.csv"), "text/csv");
  server.stop();
  serving.join();
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(nlohmann::json::parse(r->body)["rows"], 15);
  EXPECT_EQ(count_rows(dir / "hub.db", "record_encodings"), 30);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 400) << plain->body;
  EXPECT_EQ(nlohmann::json::parse(plain->body)["problems"][0]["file"], "plain.csv") << plain->body;
  EXPECT_EQ(count_rows(dir / "hub.db", "records"), 30);
}

}  // namespace joindots::serve
