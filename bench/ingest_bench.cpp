// Ingest micro-benchmarks: CSV parsing, row validation, and validated rows into SQLite.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ingest/ingest.hpp"
#include "records/validate.hpp"
#include "io/area_file.hpp"
#include "io/csv_reader.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace joindots;

const AreaTable& areas() {
  static const AreaTable table = load_area_table(JOINDOTS_BENCH_DATA_DIR);
  return table;
}

/// A scratch folder for generated files, removed at exit.
struct ScratchDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / fmt::format("joindots-bench-{}", getpid());
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

const std::filesystem::path& bench_dir() {
  static const ScratchDir dir;
  return dir.path;
}

/// A realistic agency file of `rows` records (quoted names, partial dates, postcodes).
std::filesystem::path agency_file(int rows, int salt) {
  const auto path = bench_dir() / fmt::format("agency-{}-{}.csv", rows, salt);
  if (std::filesystem::exists(path)) return path;
  std::ofstream out(path);
  std::string header;
  for (const auto& c : kRecordColumns) header += (header.empty() ? "" : ",") + std::string(c.name);
  out << header << '\n';
  for (int i = 0; i < rows; ++i) {
    out << fmt::format(
        "S{}-{:08},police,E23000{:03},victim,crime,2021-{:02}-{:02},2022-01-15,OP-{},{},E06000001,"
        "\"Amelia\",\"O'Neill-Smith\",Millie|Mel,2008-{:02},F,TS24 7QS,,,\n",
        salt, i, 13 + i % 5, 1 + i % 12, 1 + i % 28, i % 97, i % 4, 1 + i % 12);
  }
  return path;
}

void BM_CsvRead(benchmark::State& state) {
  const auto path = agency_file(static_cast<int>(state.range(0)), 0);
  const auto bytes = std::filesystem::file_size(path);
  for (auto _ : state) {
    CsvReader reader(path);
    CsvRow row;
    std::int64_t n = 0;
    while (reader.next(row)) ++n;
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_CsvRead)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_ReadAndValidate(benchmark::State& state) {
  const auto path = agency_file(static_cast<int>(state.range(0)), 0);
  for (auto _ : state) {
    CsvReader reader(path);
    RecordValidator validator(path.string(), reader.header(), areas());
    IssueCollector issues;
    CsvRow row;
    std::int64_t n = 0;
    while (reader.next(row)) n += validator.validate(row.fields, row.line, issues).has_value();
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ReadAndValidate)->Arg(100000)->Unit(benchmark::kMillisecond);

// The whole per-file path: hash, parse, validate, insert, commit, into a fresh store.
void BM_IngestFile(benchmark::State& state) {
  const auto path = agency_file(static_cast<int>(state.range(0)), 1);
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const auto db = bench_dir() / fmt::format("hub-{}.db", round++);
    auto store = std::make_unique<SqliteStore>(db, true);
    store->ensure_areas(areas());
    state.ResumeTiming();
    auto r = ingest_file(*store, areas(), path);
    benchmark::DoNotOptimize(r.rows);
    state.PauseTiming();
    store.reset();
    std::filesystem::remove(db);
    std::filesystem::remove(db.string() + "-wal");
    std::filesystem::remove(db.string() + "-shm");
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_IngestFile)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
