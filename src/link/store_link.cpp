#include "link/store_link.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <thread>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "link/encoded_link.hpp"
#include "link/result_json.hpp"

namespace joindots::link {

/// `orgs` names the sources by index (empty: left unnamed), so that a reader of the saved
/// diagnostics can map the per-source cluster limits to organisations.
nlohmann::json role_diagnostics_json(const RoleRun& rr, const std::vector<std::string>& orgs) {
  nlohmann::json j = result_json(rr.result);
  for (auto& source : j["structure"]["sources"]) {
    const auto index = source["source"].get<std::size_t>();
    if (index < orgs.size()) source["source_org"] = orgs[index];
  }
  j["role"] = to_string(rr.role);
  j["records"] = rr.records;
  j["persons"] = rr.persons.size();
  if (rr.evaluation) {
    const auto& ev = *rr.evaluation;
    j["evaluation"] = {{"precision", ev.precision},
                       {"recall", ev.recall},
                       {"f1", ev.f1},
                       {"bcubed_precision", ev.bcubed_precision},
                       {"bcubed_recall", ev.bcubed_recall},
                       {"true_persons", ev.true_entities},
                       {"found_persons", ev.found_entities},
                       {"person_count_error", ev.entity_count_error},
                       {"blocking_recall", rr.blocking_recall ? rr.blocking_recall->recall : 0.0}};
  }
  if (!rr.diagnostics_extra.is_null()) j.merge_patch(rr.diagnostics_extra);
  return j;
}

LinkRunOutput role_output(const RoleRun& rr, const std::vector<std::int64_t>& record_pk,
                          std::int64_t& next_person_id) {
  LinkRunOutput out;
  out.role = rr.role;
  const std::int64_t base = next_person_id;
  for (const auto& p : rr.persons) {
    LinkedPerson lp;
    lp.person_id = base + p.cluster;
    lp.role = out.role;
    lp.capture_history = p.sources;
    lp.lad_cd = p.lad_cd;
    lp.first_date = p.first_date;
    lp.last_date = p.last_date;
    lp.age_band = p.age_band;
    lp.sex = p.sex;
    lp.offence_count = p.offence_count;
    lp.records = p.records;
    out.persons.push_back(std::move(lp));
  }
  next_person_id += static_cast<std::int64_t>(rr.persons.size());
  for (std::size_t i = 0; i < record_pk.size(); ++i)
    out.person_of_record.emplace_back(record_pk[i], base + rr.result.cluster[i]);
  for (const auto& p : rr.result.pairs)
    out.pairs.push_back({record_pk[p.a], record_pk[p.b], p.weight, p.probability});
  return out;
}

namespace {

/// The records' link forms, normalised on `threads` threads (normalisation is most of the
/// cost of reading a role: 64 k records/s on one thread); the names are cleared from the
/// records afterwards (not needed past normalisation).
void normalise_records(std::vector<Record>& records, const std::vector<std::uint32_t>& source_of,
                       std::vector<LinkRecord>& out, int threads) {
  out.assign(records.size(), LinkRecord{});
  const std::size_t n = records.size();
  const auto parts = static_cast<std::size_t>(std::clamp<std::size_t>(
      static_cast<std::size_t>(threads), 1, std::max<std::size_t>(1, n / 5'000)));
  auto work = [&](std::size_t part) {
    for (std::size_t i = n * part / parts; i < n * (part + 1) / parts; ++i) {
      RawRecord raw = raw_from_record(records[i]);
      raw.source = source_of[i];
      out[i] = normalise_record(raw);
      records[i].given_name.clear();
      records[i].family_name.clear();
      records[i].other_names.clear();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
}

int resolve_threads(int configured) {
  return configured > 0 ? configured
                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

std::bitset<kFieldCount> store_fields() {
  std::bitset<kFieldCount> b;
  for (Field f : {Field::given_name, Field::family_name, Field::dob, Field::sex, Field::postcode,
                  Field::nhs_number, Field::upn, Field::pnc_id})
    b.set(static_cast<std::size_t>(f));
  return b;
}

nlohmann::json link_run_params(const LinkConfig& config, const StoreLinkOptions& options,
                               const std::vector<Role>& roles) {
  nlohmann::json params = {{"roles", nlohmann::json::array()},
                           {"threshold", config.threshold},
                           {"min_cohesion", config.min_cohesion},
                           {"min_cohesion_within_usual", config.min_cohesion_within_usual},
                           {"max_per_source", config.max_per_source},
                           {"hard_fields", nlohmann::json::array()},
                           {"pair_floor", options.pair_floor},
                           {"max_pairs", config.max_pairs},
                           {"max_block", config.max_block},
                           {"review", {config.review_low, config.review_high}},
                           {"seed", config.seed},
                           {"blocking", nlohmann::json::array()},
                           {"comparisons", nlohmann::json::array()}};
  for (Role r : roles) params["roles"].push_back(to_string(r));
  // The cluster guard, so that `estimate` can re-cluster the saved pairs the same way (by
  // field name; on encodings the field is compared by its token).
  for (Field f : config.hard_fields) params["hard_fields"].push_back(to_string(f));
  return params;
}

StoreLinkRun link_store(Store& store, const LinkSettings& settings,
                        const StoreLinkOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  // An encoded store's records have no identifiers to compare: linked as plaintext they
  // would all stay apart, and every count downstream would be wrong without a word.
  if (store.encoding()) return link_encoded_store(store, settings, options);
  const LinkConfig config = resolve_link_config(settings, store_fields());
  std::vector<Role> roles = options.roles;
  if (roles.empty()) roles = {Role::victim, Role::suspect, Role::associate};

  StoreLinkRun run;
  nlohmann::json params = link_run_params(config, options, roles);
  for (const auto& rule : config.blocking) params["blocking"].push_back(rule.text());
  for (const auto& c : config.comparisons)
    params["comparisons"].push_back(
        fmt::format("{}:{}", to_string(c.field), to_string(c.comparator)));
  run.run_id = store.start_run("link", params.dump());
  std::int64_t next_person_id = 1;
  try {
    for (Role role : roles) {
      RoleRun rr;
      rr.role = role;
      std::vector<Record> records;
      std::vector<std::int64_t> record_pk;
      std::vector<LinkRecord> link_records_;
      std::map<std::string, std::uint32_t> org_index;
      std::vector<std::string> orgs;
      Progress reading(fmt::format("reading {} records", to_string(role)), "records", 0,
                       options.quiet);
      std::vector<std::uint32_t> source_of;
      store.for_each_record(role, [&](const StoredRecord& sr) {
        auto [it, fresh] =
            org_index.emplace(sr.record.source_org, static_cast<std::uint32_t>(orgs.size()));
        if (fresh) orgs.push_back(sr.record.source_org);
        source_of.push_back(it->second);
        records.push_back(sr.record);
        record_pk.push_back(sr.record_pk);
        reading.advance();
      });
      reading.finish();
      normalise_records(records, source_of, link_records_, resolve_threads(config.threads));
      rr.records = records.size();
      if (records.empty()) {
        run.roles.push_back(std::move(rr));
        continue;
      }
      LinkOptions lo;
      lo.quiet = options.quiet;
      lo.cross_source_only = false;
      lo.source_names = orgs;
      lo.decisions = options.decisions;
      lo.keep_floor = options.pair_floor;
      rr.result = link_records(link_records_, config, lo);
      {
        const auto t = std::chrono::steady_clock::now();
        std::vector<std::string> area(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) area[i] = records[i].lad_cd;
        rr.result.missed_links = estimate_missed_links(link_records_, area, rr.result.model, config, rr.result.pairs,
                                                       rr.result.cluster, rr.result.threads);
        rr.result.seconds.missed_links = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
      }
      rr.persons = summarise_persons(records, rr.result.cluster, rr.result.clusters);
      if (options.truth) {
        std::vector<std::string> truth(records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
          auto it = options.truth->person_of.find({records[i].source_org, records[i].record_id});
          if (it != options.truth->person_of.end()) truth[i] = it->second;
        }
        rr.evaluation = evaluate(rr.result.cluster, truth);
        rr.blocking_recall =
            blocking_recall(link_records_, truth, config_as_run(config, rr.result), false);
      }
      // Save.
      LinkRunOutput out = role_output(rr, record_pk, next_person_id);
      // The clerical-review band (as `link --review` writes it): each pair with the agreement
      // level of every compared field, for the restricted report's review table.
      const auto& comparisons = rr.result.model.comparisons;
      for (const auto& p : rr.result.pairs) {
        if (p.clerical || p.probability < config.review_low || p.probability >= config.review_high)
          continue;
        const Pattern pattern = compare_pair(link_records_[p.a], link_records_[p.b], comparisons);
        nlohmann::json levels = nlohmann::json::object();
        for (std::size_t k = 0; k < comparisons.size(); ++k)
          levels[std::string(to_string(comparisons[k].field))] = level_names(
              comparisons[k].comparator)[static_cast<std::size_t>(level_of(pattern, k))];
        out.review.push_back(
            {record_pk[p.a], record_pk[p.b], p.weight, p.probability, levels.dump()});
      }
      out.diagnostics_json = role_diagnostics_json(rr, orgs).dump();
      store.save_link_run(run.run_id, out);
      run.roles.push_back(std::move(rr));
    }
  } catch (...) {
    store.finish_run(run.run_id, "failed", "{}");
    throw;
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  store.finish_run(run.run_id, "done", run_summary_json(run).dump());
  return run;
}

nlohmann::json run_summary_json(const StoreLinkRun& run) {
  nlohmann::json roles = nlohmann::json::array();
  for (const auto& rr : run.roles) {
    if (rr.records == 0) {
      roles.push_back({{"role", to_string(rr.role)}, {"records", 0}, {"persons", 0}});
      continue;
    }
    roles.push_back(role_diagnostics_json(rr));
  }
  nlohmann::json j = {{"run_id", run.run_id}, {"roles", roles}, {"seconds", run.seconds}};
  // Headline figures: the first role evaluated (victims when linked).
  for (const auto& rr : run.roles)
    if (rr.evaluation) {
      j["precision"] = rr.evaluation->precision;
      j["recall"] = rr.evaluation->recall;
      j["f1"] = rr.evaluation->f1;
      j["role_evaluated"] = to_string(rr.role);
      break;
    }
  return j;
}

}  // namespace joindots::link
