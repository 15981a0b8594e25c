#include "networks/networks.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>
#include <utility>

namespace joindots::networks {

namespace {

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), std::size_t{0}); }
  std::size_t find(std::size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void join(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);  // the root is the earliest case
  }

 private:
  std::vector<std::size_t> parent_;
};

struct CaseTie {
  std::int64_t offences = 0, records = 0;
};

struct Shared {
  int suspects = 0, victims = 0;
};

// Step 1's outcome: the persons, the cases (by source organisation and case reference) and
// the ties between them.
struct CaseGraph {
  std::map<PersonKey, std::size_t> person_index;
  std::vector<PersonKey> persons;
  std::map<std::pair<std::string, std::string>, std::size_t> case_index;
  std::vector<std::map<std::size_t, CaseTie>> ties;  // person -> case -> tie
  std::vector<std::vector<std::size_t>> case_members;
};

// 1. Cases and persons.
CaseGraph cases_and_persons(const std::vector<NetworkRecord>& records) {
  CaseGraph g;
  for (const auto& r : records) {
    auto [pit, new_person] = g.person_index.try_emplace(r.person, g.persons.size());
    if (new_person) {
      g.persons.push_back(r.person);
      g.ties.emplace_back();
    }
    if (r.case_ref.empty()) continue;
    auto [cit, new_case] = g.case_index.try_emplace({r.source_org, r.case_ref}, g.case_members.size());
    if (new_case) g.case_members.emplace_back();
    auto& tie = g.ties[pit->second][cit->second];
    if (tie.records == 0) g.case_members[cit->second].push_back(pit->second);
    tie.offences += std::max<std::int64_t>(1, r.offences);
    tie.records += 1;
  }
  return g;
}

// 2. Bridges between cases: the suspects and victims each pair shares; the cases they join.
UnionFind join_cases(const CaseGraph& g, const NetworkOptions& options, NetworkResult& out) {
  std::vector<const std::string*> org_of_case(g.case_members.size());
  for (const auto& [key, c] : g.case_index) org_of_case[c] = &key.first;
  std::map<std::pair<std::size_t, std::size_t>, Shared> shared;
  for (std::size_t p = 0; p < g.persons.size(); ++p) {
    const auto& t = g.ties[p];
    if (t.size() < 2) continue;
    for (auto a = t.begin(); a != t.end(); ++a)
      for (auto b = std::next(a); b != t.end(); ++b) {
        auto& s = shared[{a->first, b->first}];
        (g.persons[p].is_suspect() ? s.suspects : s.victims) += 1;
      }
  }
  UnionFind uf(g.case_members.size());
  for (const auto& [pair, s] : shared) {
    const bool cross_source = *org_of_case[pair.first] != *org_of_case[pair.second];
    const bool strong = s.suspects + s.victims >= options.min_bridge;
    if (strong || (options.cross_source_suspect && cross_source && s.suspects >= 1)) {
      uf.join(pair.first, pair.second);
      ++out.bridges_joined;
      out.bridges_cross_source += !strong;
    } else {
      ++out.bridges_refused;
    }
  }
  return uf;
}

// Step 3's outcome: each suspect's case cluster (its root; SIZE_MAX: none) and each
// cluster's suspects.
struct SuspectClusters {
  std::map<std::size_t, std::vector<std::size_t>> suspects_of_cluster;  // cluster root -> persons
  std::vector<std::size_t> cluster_of_suspect;
};

// 3. Each suspect to one case cluster: the one holding most of their offences, then records.
SuspectClusters assign_suspects(const CaseGraph& g, UnionFind& uf, NetworkResult& out) {
  SuspectClusters sc;
  sc.cluster_of_suspect.assign(g.persons.size(), SIZE_MAX);
  for (std::size_t p = 0; p < g.persons.size(); ++p) {
    if (!g.persons[p].is_suspect()) continue;
    ++out.suspects;
    if (g.ties[p].empty()) {
      ++out.unattached_suspects;
      continue;
    }
    std::map<std::size_t, CaseTie> by_cluster;
    for (const auto& [c, tie] : g.ties[p]) {
      auto& t = by_cluster[uf.find(c)];
      t.offences += tie.offences;
      t.records += tie.records;
    }
    auto best = by_cluster.begin();  // ties broken towards the earliest root (map order)
    for (auto it = by_cluster.begin(); it != by_cluster.end(); ++it)
      if (std::pair(it->second.offences, it->second.records) > std::pair(best->second.offences, best->second.records))
        best = it;
    sc.cluster_of_suspect[p] = best->first;
    sc.suspects_of_cluster[best->first].push_back(p);
  }
  return sc;
}

// Step 4's outcome: the networks with their persons, and which persons and cases are whose.
struct Networks {
  std::vector<Network> nets;
  std::map<std::size_t, std::size_t> network_of_cluster;
  std::vector<std::set<std::size_t>> networks_of_person, cases_of_network;
};

// 4. Networks: clusters with suspects; victims attach through their cases.
Networks form_networks(const CaseGraph& g, UnionFind& uf, const SuspectClusters& sc, NetworkResult& out) {
  Networks w;
  auto& nets = w.nets;
  for (const auto& [root, members] : sc.suspects_of_cluster) {
    w.network_of_cluster[root] = nets.size();
    Network n;
    for (auto p : members) n.suspects.push_back(g.persons[p]);
    nets.push_back(std::move(n));
  }
  const auto& cluster_of_suspect = sc.cluster_of_suspect;
  w.networks_of_person.resize(g.persons.size());
  for (std::size_t p = 0; p < g.persons.size(); ++p)
    if (cluster_of_suspect[p] != SIZE_MAX)
      w.networks_of_person[p].insert(w.network_of_cluster.at(cluster_of_suspect[p]));
  for (std::size_t p = 0; p < g.persons.size(); ++p) {
    if (g.persons[p].is_suspect()) continue;
    ++out.victims;
    auto& mine = w.networks_of_person[p];
    for (const auto& [c, _] : g.ties[p]) {
      if (auto it = w.network_of_cluster.find(uf.find(c)); it != w.network_of_cluster.end()) {
        mine.insert(it->second);
        continue;
      }
      // The case's cluster kept none of its suspects: follow them to their networks.
      for (auto q : g.case_members[c])
        if (cluster_of_suspect[q] != SIZE_MAX) mine.insert(w.network_of_cluster.at(cluster_of_suspect[q]));
    }
    if (mine.empty()) ++out.unattached_victims;
    for (auto n : mine) nets[n].victims.push_back(g.persons[p]);
  }
  // A network's own cases: those of its cluster and those recording its suspects. A victim's
  // cases in another network's cluster are that network's: she belongs to both, but her
  // records there do not stretch this one (nor does a case recording no suspect).
  w.cases_of_network.resize(nets.size());
  for (std::size_t c = 0; c < g.case_members.size(); ++c)
    if (auto it = w.network_of_cluster.find(uf.find(c)); it != w.network_of_cluster.end())
      w.cases_of_network[it->second].insert(c);
  for (std::size_t p = 0; p < g.persons.size(); ++p)
    if (cluster_of_suspect[p] != SIZE_MAX)
      for (const auto& [c, _] : g.ties[p])
        w.cases_of_network[w.network_of_cluster.at(cluster_of_suspect[p])].insert(c);
  return w;
}

// 5. Extent: districts and forces from the records of the network's own cases (a victim's
// records elsewhere, or in another network's case, do not stretch it); period and record
// count from every record of its persons.
void add_extent(const std::vector<NetworkRecord>& records, const CaseGraph& g, Networks& w) {
  auto& nets = w.nets;
  std::vector<std::set<std::string>> lads(nets.size()), pfas(nets.size());
  std::vector<bool> dated(nets.size(), false);
  for (const auto& r : records) {
    const std::size_t c = r.case_ref.empty() ? SIZE_MAX : g.case_index.at({r.source_org, r.case_ref});
    for (auto n : w.networks_of_person[g.person_index.at(r.person)]) {
      Network& net = nets[n];
      if (c != SIZE_MAX && w.cases_of_network[n].count(c)) {
        if (!r.lad_cd.empty()) lads[n].insert(r.lad_cd);
        if (!r.pfa_cd.empty()) pfas[n].insert(r.pfa_cd);
        if (!r.force_cd.empty()) pfas[n].insert(r.force_cd);
      }
      if (!dated[n] || r.first < net.first) net.first = r.first;
      if (!dated[n] || r.last > net.last) net.last = r.last;
      dated[n] = true;
      ++net.records;
    }
  }
  for (std::size_t n = 0; n < nets.size(); ++n) {
    nets[n].lads.assign(lads[n].begin(), lads[n].end());
    nets[n].pfas.assign(pfas[n].begin(), pfas[n].end());
    nets[n].cases = static_cast<std::int64_t>(w.cases_of_network[n].size());
    std::sort(nets[n].suspects.begin(), nets[n].suspects.end());
    std::sort(nets[n].victims.begin(), nets[n].victims.end());
  }
}

}  // namespace

NetworkResult find_networks(const std::vector<NetworkRecord>& records, const NetworkOptions& options) {
  if (options.min_bridge < 1) throw std::invalid_argument("find_networks: min_bridge must be at least 1");
  NetworkResult out;
  const CaseGraph g = cases_and_persons(records);
  out.cases = static_cast<std::int64_t>(g.case_members.size());
  UnionFind uf = join_cases(g, options, out);
  const SuspectClusters sc = assign_suspects(g, uf, out);
  Networks w = form_networks(g, uf, sc, out);
  add_extent(records, g, w);
  // Largest first (suspects, then victims), then the earliest; ids in that order.
  auto& nets = w.nets;
  std::stable_sort(nets.begin(), nets.end(), [](const Network& a, const Network& b) {
    if (a.suspects.size() != b.suspects.size()) return a.suspects.size() > b.suspects.size();
    if (a.victims.size() != b.victims.size()) return a.victims.size() > b.victims.size();
    return a.first < b.first;
  });
  for (std::size_t n = 0; n < nets.size(); ++n) {
    nets[n].id = static_cast<std::int64_t>(n + 1);
    for (const auto& s : nets[n].suspects) out.network_of_suspect[s] = nets[n].id;
  }
  out.networks = std::move(nets);
  return out;
}

}  // namespace joindots::networks
