#include "estimate/existence.hpp"

#include <fmt/format.h>

#include <bit>

#include "estimate/simplex.hpp"

namespace joindots::estimate {

const char* to_string(MleStatus s) {
  switch (s) {
    case MleStatus::Exists: return "exists";
    case MleStatus::DoesNotExist: return "MLE does not exist";
    case MleStatus::NotIdentifiable: return "not identifiable";
  }
  return "?";
}

Eigen::MatrixXd design_matrix(const LogLinearModel& model, const std::vector<std::uint32_t>& cells) {
  return design_matrix(model.terms(), model.heterogeneity(), cells);
}

Eigen::MatrixXd design_matrix(const std::vector<std::uint32_t>& terms, Heterogeneity h,
                              const std::vector<std::uint32_t>& cells) {
  const auto columns = terms.size() + (h != Heterogeneity::None);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(cells.size()), static_cast<Eigen::Index>(columns));
  for (std::size_t i = 0; i < cells.size(); ++i) {
    for (std::size_t j = 0; j < terms.size(); ++j)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = (cells[i] & terms[j]) == terms[j] ? 1.0 : 0.0;
    if (h != Heterogeneity::None)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(terms.size())) =
          heterogeneity_value(h, std::popcount(cells[i]));
  }
  return x;
}

namespace {

constexpr double kTol = 1e-9;

int rank_of(const Eigen::MatrixXd& m) {
  if (m.rows() == 0 || m.cols() == 0) return 0;
  Eigen::FullPivLU<Eigen::MatrixXd> lu(m);
  lu.setThreshold(1e-10);
  return static_cast<int>(lu.rank());
}

// max s'u over {u : A u <= 0, s'u <= 1}, with u free (split as u+ - u-).
double max_over_cone(const Eigen::MatrixXd& a, const Eigen::VectorXd& s) {
  const Eigen::Index m = a.rows(), r = a.cols();
  Eigen::MatrixXd lp(m + 1, 2 * r);
  lp.topLeftCorner(m, r) = a;
  lp.topRightCorner(m, r) = -a;
  lp.bottomLeftCorner(1, r) = s.transpose();
  lp.bottomRightCorner(1, r) = -s.transpose();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(m + 1);
  b(m) = 1.0;
  Eigen::VectorXd c(2 * r);
  c.head(r) = s;
  c.tail(r) = -s;
  const LpResult res = maximize_simplex(lp, b, c);
  return res.status == LpStatus::Unbounded ? 1.0 : res.value;
}

}  // namespace

bool heterogeneity_redundant(const LogLinearModel& model) {
  // On all 2^K cells the term columns x_t(c) = [t ⊆ c] are a basis (the Moebius basis), so
  // h = sum_t a_t x_t with a the Moebius inverse of h. Without cell 0 they have one relation,
  // sum_t (-1)^|t| x_t = [c = 0] = 0, so on the observed cells h lies in the span of the
  // model's terms iff some lambda gives a_t = lambda (-1)^|t| for every term t not in the
  // model: iff a_t (-1)^|t| is one constant over the terms left out. O(K 2^K).
  const int k = model.k();
  std::vector<double> a = model.heterogeneity_column();
  const std::uint32_t n = static_cast<std::uint32_t>(a.size());
  for (int i = 0; i < k; ++i) {  // inverse zeta transform over subsets
    const std::uint32_t bit = std::uint32_t{1} << i;
    for (std::uint32_t c = 0; c < n; ++c)
      if (c & bit) a[c] -= a[c ^ bit];
  }
  std::vector<std::uint8_t> in_model(n, 0);
  for (auto t : model.terms()) in_model[t] = 1;
  double scale = 0;
  for (double v : a) scale = std::max(scale, std::abs(v));
  bool first = true;
  double lambda = 0;
  for (std::uint32_t t = 0; t < n; ++t) {
    if (in_model[t]) continue;
    const double b = (std::popcount(t) % 2 == 0 ? 1.0 : -1.0) * a[t];
    if (first) {
      lambda = b;
      first = false;
    } else if (std::abs(b - lambda) > 1e-9 * std::max(1.0, scale)) {
      return false;
    }
  }
  return true;
}

ExistenceCheck check_existence(const CaptureTable& table, const LogLinearModel& model) {
  const std::uint32_t ncells = table.cells();
  ExistenceCheck out;
  out.in_face.assign(ncells, 0);
  std::vector<std::uint32_t> pos, zero;
  for (std::uint32_t c = 1; c < ncells; ++c) {
    out.in_face[c] = 1;
    (table.counts[c] > 0 ? pos : zero).push_back(c);
  }
  // A heterogeneity column that the terms already span on the observed cells adds nothing
  // (Darroch's s^2/2 with every two-way interaction): the model is its own version without
  // it, so it is not a model of its own.
  if (model.heterogeneity() != Heterogeneity::None && heterogeneity_redundant(model)) {
    out.status = MleStatus::NotIdentifiable;
    out.reason = fmt::format("the heterogeneity term {} is a combination of the model's terms: the model is {} "
                             "without it",
                             to_string(model.heterogeneity()), model.with_heterogeneity(Heterogeneity::None).to_string());
    return out;
  }
  // No zero cells and no K-way term: X has full column rank on the observed cells (the
  // Moebius matrix of all 2^K terms on all 2^K cells is invertible, and dropping cell 0
  // only removes the direction of the K-way term; a heterogeneity column passed the check
  // above), so the MLE exists.
  if (zero.empty() && !model.has_term(ncells - 1)) return out;
  const Eigen::MatrixXd xpos = design_matrix(model, pos);
  const Eigen::Index p = xpos.cols();

  // The null space of X_{S+}: if trivial, D = {0} and the MLE exists.
  Eigen::FullPivLU<Eigen::MatrixXd> lu(xpos);
  lu.setThreshold(1e-10);
  if (lu.rank() == p) return out;
  const Eigen::MatrixXd z = lu.kernel();  // p x r
  const Eigen::Index r = z.cols();
  const Eigen::VectorXd s0 = z.row(0).transpose();  // d_0 = s0'u

  if (zero.empty()) {
    // X itself is rank-deficient on the observed cells (e.g. a K-way term).
    if (s0.cwiseAbs().maxCoeff() > kTol) {
      out.status = MleStatus::NotIdentifiable;
      out.reason = "the design is rank-deficient on the observed cells and confounds the intercept (the unobserved count)";
    }
    return out;
  }

  const Eigen::MatrixXd a = design_matrix(model, zero) * z;  // m0 x r
  const Eigen::Index m0 = a.rows();
  // Facial set: maximise sum t subject to A u + t <= 0, t <= 1.
  {
    Eigen::MatrixXd lp = Eigen::MatrixXd::Zero(2 * m0, 2 * r + m0);
    lp.block(0, 0, m0, r) = a;
    lp.block(0, r, m0, r) = -a;
    lp.block(0, 2 * r, m0, m0).setIdentity();
    lp.block(m0, 2 * r, m0, m0).setIdentity();
    Eigen::VectorXd b = Eigen::VectorXd::Zero(2 * m0);
    b.tail(m0).setOnes();
    Eigen::VectorXd c = Eigen::VectorXd::Zero(2 * r + m0);
    c.tail(m0).setOnes();
    const LpResult res = maximize_simplex(lp, b, c);
    for (Eigen::Index i = 0; i < m0; ++i)
      if (res.x(2 * r + i) > 0.5) {
        const std::uint32_t cell = zero[static_cast<std::size_t>(i)];
        out.in_face[cell] = 0;
        out.boundary_cells.push_back(cell);
      }
  }
  // Is e_0 in the row space of X_F?
  std::vector<std::uint32_t> face;
  for (std::uint32_t c = 1; c < ncells; ++c)
    if (out.in_face[c]) face.push_back(c);
  const Eigen::MatrixXd xf = design_matrix(model, face);
  const int rank_all = rank_of(xf);
  const int rank_without_intercept = rank_of(xf.rightCols(p - 1));
  if (rank_all == rank_without_intercept + 1) return out;  // the estimate exists and is unique

  const double up = max_over_cone(a, s0);
  const double down = max_over_cone(a, -s0);
  std::string cells;
  for (auto c : out.boundary_cells) cells += (cells.empty() ? "" : ", ") + pattern_string(c, table.k());
  if (up > kTol && down > kTol) {
    out.status = MleStatus::NotIdentifiable;
    out.reason = fmt::format(
        "not identifiable: with the zero cells {} fitted at 0, the fit to the other cells does not determine the "
        "unobserved count (it can move either way at no cost)",
        cells.empty() ? "(none)" : cells);
  } else {
    out.status = MleStatus::DoesNotExist;
    out.reason = fmt::format(
        "MLE does not exist: the likelihood keeps increasing as the estimated unobserved count goes to {} (zero cells "
        "{} pushed to 0)",
        up > kTol ? "infinity" : "zero", cells.empty() ? "(none)" : cells);
  }
  return out;
}

}  // namespace joindots::estimate
