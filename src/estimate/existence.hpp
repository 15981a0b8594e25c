#pragma once
// Does the maximum likelihood estimate of the unobserved count exist, and is it identified?
// (Fienberg & Rinaldo 2012, Ann. Statist. 40:996-1023; Chan, Silverman & Vincent 2021,
// JASA 116:1297-1306.) Sparse tables, with lists that never overlap, make this common.
//
// Let X be the design on the observed cells, S+ the cells with a positive count and S0 the
// zero cells. The Poisson log-likelihood l(b) = sum_c y_c x_c'b - exp(x_c'b) is non-
// decreasing along a direction d forever exactly when
//
//   X_{S+} d = 0   and   X_{S0} d <= 0                                 (the recession cone D).
//
// If D = {0} the MLE exists. Otherwise the supremum is approached by sending to zero the
// fitted means of the zero cells that some d in D makes strictly negative; the other cells
// form the facial set F, on which the (extended) MLE exists and is unique. The unobserved
// count mu_0 = exp(b_0) is then determined iff e_0 lies in the row space of X_F (no d with
// X_F d = 0 has d_0 != 0). When it is not:
//   - "not identifiable": D holds directions with d_0 > 0 and with d_0 < 0: the data are
//     equally well fitted whatever the unobserved count;
//   - "MLE does not exist": D holds directions of one sign of d_0 only: the likelihood keeps
//     rising as the estimate goes to infinity (or to no one unobserved).
// F is found by one linear program: maximise sum_i t_i subject to A u + t <= 0, 0 <= t <= 1,
// with A = X_{S0} Z and Z a basis of the null space of X_{S+}; the sign question by two
// more (maximise and minimise d_0 = (Z u)_0 over D with |d_0| <= 1).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <Eigen/Dense>

#include "estimate/capture_table.hpp"
#include "estimate/loglinear_model.hpp"

namespace joindots::estimate {

enum class MleStatus { Exists, DoesNotExist, NotIdentifiable };

const char* to_string(MleStatus s);

struct ExistenceCheck {
  MleStatus status = MleStatus::Exists;
  /// Size 2^K: 1 for the observed cells in the facial set F (fitted > 0); cell 0 is 0.
  std::vector<std::uint8_t> in_face;
  /// Zero cells whose fitted mean is exactly 0 in the extended MLE (outside F).
  std::vector<std::uint32_t> boundary_cells;
  /// Empty when the MLE exists; otherwise why not, in words.
  std::string reason;
};

/// The existence and identifiability check described above. The cells holding a term whose
/// margin is 0 are outside F without a program, and the programs run on the rest;
/// `reduce_zero_margins` false runs them on the whole problem (the reference the reduction
/// is tested against).
ExistenceCheck check_existence(const CaptureTable& table, const LogLinearModel& model,
                               bool reduce_zero_margins = true);

/// Verdicts already reached, by (model, which cells are positive): check_existence looks at
/// nothing else of the table. A bootstrap draws hundreds of tables whose zero patterns
/// repeat, and checks each candidate model on each; the linear programs were most of its
/// time. Thread-safe; forgets everything once it holds `capacity` verdicts.
class ExistenceCache {
 public:
  explicit ExistenceCache(std::size_t capacity = 20000) : capacity_(capacity) {}
  /// check_existence(table, model), computed once per model and zero pattern.
  std::shared_ptr<const ExistenceCheck> check(const CaptureTable& table, const LogLinearModel& model);
  std::size_t hits() const;
  std::size_t misses() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const ExistenceCheck>> verdicts_;
  std::size_t capacity_, hits_ = 0, misses_ = 0;
};

/// Whether the model's heterogeneity column is a linear combination of its term columns on
/// the observed cells (the column then adds nothing). False without a heterogeneity term.
bool heterogeneity_redundant(const LogLinearModel& model);

/// The design matrix of `model` on the given cells (rows) and the model's terms (columns),
/// then its heterogeneity column when it has one.
Eigen::MatrixXd design_matrix(const LogLinearModel& model, const std::vector<std::uint32_t>& cells);
/// The same for any set of term columns (e.g. the terms a fit kept) and heterogeneity column.
Eigen::MatrixXd design_matrix(const std::vector<std::uint32_t>& terms, Heterogeneity h,
                              const std::vector<std::uint32_t>& cells);

}  // namespace joindots::estimate
