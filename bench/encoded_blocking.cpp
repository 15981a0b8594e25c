// Blocking on encodings (issue 16, item 3): candidate pairs of one role of an encoded store
// from its tokens alone and with bit-sampling LSH bands on the CLKs, against the
// simulator's truth: pairs, blocking recall (true pairs among candidates) and time.
//
// usage: joindots_encoded_blocking STORE SIM_DIR [role] [bands,bits ...]
//   e.g. joindots_encoded_blocking hub.db sim victim 0,24 10,24 20,20 30,16
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "encode/candidates.hpp"
#include "encode/encoder.hpp"
#include "io/csv_reader.hpp"
#include "store/store.hpp"

using namespace joindots;

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: {} STORE SIM_DIR [role] [bands,bits ...]\n", argv[0]);
    return 1;
  }
  const Role role = *parse_enum<Role>(kRoleNames, argc > 3 ? argv[3] : "victim");
  auto store = Store::open(argv[1], false);
  std::unordered_map<std::string, std::string> person;  // source_org \x1f record_id -> person
  {
    CsvReader truth(std::filesystem::path(argv[2]) / "truth" / "records.csv");
    CsvRow row;
    while (truth.next(row)) person[row.fields[0] + '\x1f' + row.fields[1]] = row.fields[2];
  }
  std::map<std::int64_t, std::string> person_of_pk;
  store->for_each_record(role, [&](const StoredRecord& r) {
    person_of_pk[r.record_pk] = person.at(r.record.source_org + '\x1f' + r.record.record_id);
  });
  encode::BlockingInput in;
  std::vector<std::string> persons;
  store->for_each_encoded_record(role, [&](std::int64_t pk, const EncodedColumns& e) {
    persons.push_back(person_of_pk.at(pk));
    const std::size_t at = in.clks.size();
    in.clks.resize(at + in.words);
    std::memcpy(in.clks.data() + at, e.clk.data(), std::min(e.clk.size(), in.words * 8));
    in.tokens.push_back(encode::tokens_from_json(e.tokens_json));
  });
  std::map<std::string, std::int64_t> sizes;
  for (const auto& p : persons) ++sizes[p];
  std::int64_t true_pairs = 0;
  for (const auto& [p, n] : sizes) true_pairs += n * (n - 1) / 2;
  fmt::print("{} records {}, persons {}, true pairs {}\n", to_string(role), persons.size(), sizes.size(), true_pairs);
  for (int a = 4; a < argc; ++a) {
    encode::CandidateOptions opt;
    std::sscanf(argv[a], "%d,%d", &opt.lsh_bands, &opt.lsh_bits);
    const auto start = std::chrono::steady_clock::now();
    const auto c = encode::find_candidates(in, opt);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::int64_t found = 0;
    for (const auto& [i, j] : c.pairs) found += persons[i] == persons[j];
    fmt::print("bands {:2} x {:2} bits: candidates {:>9}, pairs in blocks {:>9}, blocks skipped {:>3}, "
               "blocking recall {:.4f}, {:.2f} s\n",
               opt.lsh_bands, opt.lsh_bits, c.pairs.size(), c.pairs_in_blocks, c.blocks_skipped,
               static_cast<double>(found) / static_cast<double>(true_pairs), seconds);
  }
  return 0;
}
