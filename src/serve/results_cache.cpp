#include "serve/results_cache.hpp"

#include <fmt/format.h>

#include "report/bundle.hpp"
#include "report/publish.hpp"
#include "serve/access.hpp"
#include "store/postgres/pg.hpp"
#include "store/sqlite/sqlite.hpp"
#include "store/store.hpp"

namespace joindots::serve {

namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::shared_ptr<const PublicResults> build_public(Store& store, const AreaTable& areas) {
  auto r = std::make_shared<PublicResults>();
  try {
    r->bundle = report::publishable_bundle(store, areas, report::Tier::Public).bundle;
  } catch (const report::DisclosureRefused& refused) {
    for (const auto& p : refused.problems())
      r->audit_failure += (r->audit_failure.empty() ? "" : "; ") + p;
    fmt::print(stderr,
               "joindots serve: the public bundle failed the exact disclosure audit and is not "
               "served: {}\n",
               r->audit_failure);
  }
  const auto sm = store.summary();
  // Counts of files, organisations and runs describe the hub, not people: not controlled.
  r->summary_body = dump({{"schema_version", sm.schema_version},
                          {"files", sm.files},
                          {"sources", sm.sources},
                          {"organisations_by_source_type", sm.sources_by_source_type},
                          {"areas", sm.areas},
                          {"runs", sm.runs}});
  if (r->bundle.is_null()) return r;
  const auto& b = r->bundle;
  // The linkage counts are cells of the same audit (the victims' persons are the map's
  // total): served from the audited bundle, never beside a refused one.
  r->linkage = b["linkage"];
  r->linkage_body = dump({{"tier", "public"}, {"linkage", r->linkage}});
  r->bundle_body = dump(b);
  r->estimates_body = dump({{"tier", "public"},
                            {"estimate_run", b.value("estimate_run", nlohmann::json(nullptr))},
                            {"reference_date", b.value("reference_date", "")},
                            {"headline", b["headline"]},
                            {"strata", b["strata"]}});
  r->overlap_body = dump({{"tier", "public"}, {"overlap", b["overlap"]}});
  r->models_body = dump({{"tier", "public"}, {"models", b["models"]}});
  r->sources_body = dump({{"tier", "public"}, {"sources", b["sources"]}});
  r->areas_body = dump({{"tier", "public"}, {"areas", b["areas"]}});
  return r;
}

}  // namespace

ResultsCache::ResultsCache(std::string db, std::shared_ptr<const AreaTable> areas)
    : db_(std::move(db)), areas_(std::move(areas)) {}

ResultsCache::~ResultsCache() = default;

std::int64_t ResultsCache::store_version() {
  if (Store::is_postgres(db_)) {
    if (!pg_watch_) pg_watch_ = std::make_unique<pg::Connection>(db_);
    // Read-only transactions take no transaction id: it moves when someone writes.
    return pg_watch_->query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint").integer(0, 0);
  }
  if (!watch_) {
    watch_ = std::make_unique<sqlite::Database>(db_, /*create=*/false);
    watch_->limit_cache(kServerCacheKib);
  }
  auto st = watch_->prepare("PRAGMA data_version");
  st.step();
  return st.column_int(0);
}

std::string ResultsCache::results_fingerprint() {
  // The same SQL on both stores: counts and latest ids of files and runs, the latest time a
  // run ended, the runs done, the areas and the networks run held.
  static constexpr const char* kSql =
      "SELECT (SELECT count(*) FROM files), (SELECT coalesce(max(file_id), 0) FROM files), (SELECT count(*) FROM "
      "runs), (SELECT coalesce(max(run_id), 0) FROM runs), (SELECT coalesce(max(finished_at), '') FROM runs), "
      "(SELECT count(*) FROM runs WHERE status = 'done'), (SELECT count(*) FROM areas), (SELECT count(*) FROM "
      "network_run)";
  std::string out;
  if (Store::is_postgres(db_)) {
    const auto r = pg_watch_->query(kSql);
    for (int i = 0; i < 8; ++i) out += r.text(0, i) + "|";
    return out;
  }
  auto st = watch_->prepare(kSql);
  st.step();
  for (int i = 0; i < 8; ++i) out += st.column_text(i) + "|";
  return out;
}

bool ResultsCache::store_changed() {
  const auto version = store_version();
  if (version == version_) return false;
  version_ = version;
  // A commit that left the results' inputs as they were (an audit row, an account): no rebuild.
  const auto fingerprint = results_fingerprint();
  if (fingerprint == fingerprint_) return false;
  fingerprint_ = fingerprint;
  public_.reset();
  restricted_.reset();
  std::lock_guard publish(published_mutex_);
  published_.reset();  // until rebuilt, concurrent requests wait rather than see the old state
  return true;
}

std::shared_ptr<const PublicResults> ResultsCache::current() {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) {
    // Another request is asking the store right now: answer from the results it is
    // confirming rather than queue behind it (under load the queue, not the work, made the
    // slowest answers). A request that finds the lock free always asks the store itself.
    if (auto published = published_results()) return published;
    lock.lock();
  }
  store_changed();
  if (!public_) {
    // Built under the lock: concurrent requests wait for this one build rather than each
    // starting their own.
    auto store = Store::open(db_, /*create=*/false);
    store->limit_cache(kIngestCacheKib);
    public_ = build_public(*store, *areas_);
    ++builds_;
    std::lock_guard publish(published_mutex_);
    published_ = public_;
  }
  return public_;
}

std::shared_ptr<const PublicResults> ResultsCache::published_results() const {
  std::lock_guard publish(published_mutex_);
  return published_;
}

std::shared_ptr<const std::string> ResultsCache::restricted_bundle_body() {
  std::lock_guard lock(mutex_);
  store_changed();
  if (!restricted_) {
    auto store = Store::open(db_, /*create=*/false);
    store->limit_cache(kIngestCacheKib);
    restricted_ = std::make_shared<const std::string>(
        dump(report::publishable_bundle(*store, *areas_, report::Tier::Restricted).bundle));
  }
  return restricted_;
}

std::int64_t ResultsCache::builds() const {
  std::lock_guard lock(mutex_);
  return builds_;
}

}  // namespace joindots::serve
