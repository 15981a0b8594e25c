#pragma once
// A hierarchical log-linear model for a K-list capture-history table (Fienberg 1972;
// Bishop, Fienberg & Holland 1975):
//
//   log mu_c = sum over terms t of the model with t ⊆ c of beta_t,   c in {0,1}^K,
//
// where a term is a set of lists (a bitmask): the empty set is the intercept, singletons
// are main effects, pairs two-way interactions, and so on. Hierarchical: every subset of a
// term is a term. The design column of term t is x_{c,t} = 1 if t ⊆ c. For the unobserved
// cell c = 0 only the intercept is 1, so mu_0 = exp(beta_0).
//
// Notation: the generating class in square brackets with lists numbered from 1, as in
// Rcapture: "[123,14,34]" is the model whose maximal terms are {1,2,3}, {1,4} and {3,4}.
// Lists 10 to 15 are written A to F. A list in no interaction is written alone: "[12,3]".
//
// Heterogeneity (Darroch, Fienberg, Glonek & Junker 1993, JASA 88:1137-1148; Rivest &
// Baillargeon's Rcapture, the `h` argument): people differ in how visible they are to every
// list at once. The model can add one column h(s_c), a function of the number of lists
// s_c = |c| that record the cell, with its own coefficient eta:
//
//   log mu_c = sum_{t ⊆ c} beta_t + eta h(|c|),   h(0) = 0, so mu_0 = exp(beta_0) still.
//
//   Poisson2:  h(s) = 2^s - 1            (a Poisson-distributed log-visibility, Rivest & Levesque 2001)
//   Darroch:   h(s) = s^2 / 2            (a normal random effect, the quasi-symmetric Rasch model)
//   Gamma3.5:  h(s) = -log(1 + s / 3.5)  (a gamma-distributed visibility, shape 3.5)
//
// Written after the generating class: "[12,3]+Darroch".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace joindots::estimate {

enum class Heterogeneity { None, Poisson2, Darroch, Gamma35 };
const char* to_string(Heterogeneity h);
/// h(s) for a cell recorded by s lists (0 for Heterogeneity::None).
double heterogeneity_value(Heterogeneity h, int lists_recording);

class LogLinearModel {
 public:
  /// The independence model: intercept and main effects.
  explicit LogLinearModel(int k);
  /// The hierarchical closure of `generators` (bitmasks) plus all main effects.
  static LogLinearModel hierarchical(int k, const std::vector<std::uint32_t>& generators);
  /// Main effects plus the given two-way interactions (pairs of 0-based list indices).
  static LogLinearModel two_way(int k, const std::vector<std::pair<int, int>>& pairs);
  /// The same terms with the heterogeneity column `h` (None: without).
  LogLinearModel with_heterogeneity(Heterogeneity h) const;
  Heterogeneity heterogeneity() const { return heterogeneity_; }
  /// The heterogeneity column over the 2^K cells (empty without one).
  std::vector<double> heterogeneity_column() const;
  /// Parses "[123,14,34]" (lists from 1; A-F for 10-15), optionally followed by
  /// "+Poisson2", "+Darroch" or "+Gamma3.5". Throws UsageError naming the problem.
  static LogLinearModel parse(std::string_view text, int k);

  int k() const { return k_; }
  /// All terms (design columns), sorted: intercept (0) first, then by size, then by value.
  const std::vector<std::uint32_t>& terms() const { return terms_; }
  /// Terms plus the heterogeneity coefficient.
  std::size_t parameters() const { return terms_.size() + (heterogeneity_ != Heterogeneity::None); }
  /// The terms with two or more lists.
  std::vector<std::uint32_t> interactions() const;
  /// Maximal terms (the generating class).
  std::vector<std::uint32_t> generators() const;
  /// "[123,14,34]", or "[12,3]+Darroch".
  std::string to_string() const;
  /// Interactions by list name, e.g. {"EXH:ABA", "EXH:OSCE"}.
  std::vector<std::string> interaction_names(const std::vector<std::string>& lists) const;
  bool has_term(std::uint32_t t) const;

  bool operator==(const LogLinearModel& o) const {
    return k_ == o.k_ && terms_ == o.terms_ && heterogeneity_ == o.heterogeneity_;
  }

 private:
  int k_;
  Heterogeneity heterogeneity_ = Heterogeneity::None;
  std::vector<std::uint32_t> terms_;
};

/// The two-way interaction masks of K lists in a fixed order: (0,1), (0,2), ..., (K-2,K-1).
std::vector<std::uint32_t> all_pairs(int k);

}  // namespace joindots::estimate
