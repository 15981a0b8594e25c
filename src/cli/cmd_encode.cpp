// joindots encode: plaintext agency files into encoded ones (keyed Bloom filters and keyed
// tokens instead of identifiers), run by each agency before anything leaves it.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/data_dir.hpp"
#include "core/error.hpp"
#include "encode/encode_file.hpp"
#include "io/area_file.hpp"

namespace joindots::cli {

namespace {

struct EncodeOptions {
  CommonOptions common;
  std::string secret_file, out;
  std::size_t bits = encode::kDefaultClkBits;
  std::string salt = "none";
  bool fold = false;
  double flip = 0;
  bool names_one_key = false;
  std::vector<std::string> inputs;
};

// A folder stands for the *.csv files in it, sorted (as for ingest).
std::vector<std::filesystem::path> expand(const std::vector<std::string>& inputs) {
  std::vector<std::filesystem::path> out;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(input, ec)) {
      out.emplace_back(input);
      continue;
    }
    std::vector<std::filesystem::path> in_dir;
    for (std::filesystem::directory_iterator it(input, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".csv") in_dir.push_back(it->path());
    if (ec) throw UsageError(fmt::format("{}: cannot be listed: {}", input, ec.message()));
    if (in_dir.empty()) throw UsageError(fmt::format("{}: folder holds no .csv files", input));
    std::sort(in_dir.begin(), in_dir.end());
    out.insert(out.end(), in_dir.begin(), in_dir.end());
  }
  return out;
}

int run_encode(const EncodeOptions& opt) {
  if (!encode::valid_clk_bits(opt.bits))
    throw UsageError(fmt::format("--bits {}: a power of two from 256 to 4096", opt.bits));
  encode::Hardening hardening;
  const auto salt = encode::salt_by_name(opt.salt);
  if (!salt) throw UsageError(fmt::format("--salt {}: none, sex or birth-year", opt.salt));
  hardening.salt = *salt;
  hardening.fold = opt.fold;
  hardening.flip = opt.flip;
  hardening.names_one_key = opt.names_one_key;
  const auto secret = encode::Secret::from_file(opt.secret_file);
  const encode::RecordEncoder encoder(secret, opt.bits, hardening);
  const auto files = expand(opt.inputs);
  const AreaTable areas = load_area_table(data_dir());
  std::int64_t total_bytes = 0;
  for (const auto& f : files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(f, ec);
    if (!ec) total_bytes += static_cast<std::int64_t>(size);
  }
  Progress progress("encode", "bytes", total_bytes, opt.common.quiet);
  progress.set_secondary("rows");
  const auto results = encode::encode_files(encoder, areas, files, opt.out, &progress);
  progress.finish();

  std::int64_t rows = 0, warnings = 0;
  nlohmann::json report = nlohmann::json::array();
  for (const auto& r : results) {
    rows += r.rows;
    warnings += r.warnings;
    report.push_back({{"input", r.input.string()}, {"output", r.output.string()}, {"rows", r.rows},
                      {"warnings", r.warnings}});
  }
  if (opt.common.json) {
    nlohmann::json out{{"out", opt.out}, {"scheme", encoder.scheme()}, {"key_fingerprint", encoder.fingerprint()},
                       {"files", report}, {"rows", rows}, {"warnings", warnings}};
    std::cout << out.dump(2) << '\n';
  } else {
    fmt::print("encoded {} file{} into {}: {} records; scheme {}, key fingerprint {}", results.size(),
               results.size() == 1 ? "" : "s", opt.out, with_commas(rows), encoder.scheme(), encoder.fingerprint());
    if (warnings)
      fmt::print("; {} plausible-but-odd value{} (ingest will show them)", warnings, warnings == 1 ? "" : "s");
    fmt::print("\n");
  }
  return 0;
}

}  // namespace

void add_encode_command(CLI::App& app, Runner& run) {
  auto opt = std::make_shared<EncodeOptions>();
  auto* cmd = app.add_subcommand(
      "encode", "Replace the identifiers of agency CSV files by keyed Bloom filters and tokens (docs/privacy.md)");
  cmd->add_option("--secret-file", opt->secret_file,
                  "The secret shared by every agency of one hub (mode 600 or 400; at least 32 random characters)")
      ->required();
  cmd->add_option("--out", opt->out, "Folder for the encoded files (same names as the inputs; created if missing)")
      ->required();
  cmd->add_option("--bits", opt->bits, "Bloom filter width: a power of two from 256 to 4096")
      ->default_val(encode::kDefaultClkBits);
  // Hardenings (docs/privacy.md): every agency of one hub must use the same, since each is
  // part of the scheme and the hub refuses files of another scheme.
  cmd->add_option("--salt", opt->salt,
                  "Hash names and postcode with this attribute beside them: none, sex or birth-year")
      ->default_val("none");
  cmd->add_flag("--fold", opt->fold, "XOR-fold each filter onto half its width");
  cmd->add_option("--flip", opt->flip, "Flip each filter bit with this probability (0 to 0.25)")->default_val(0);
  cmd->add_flag("--names-one-key", opt->names_one_key,
                "Hash the family name's CLK elements under the given name's key (names recorded the other way round "
                "set the same bits; for two-file linkage: docs/privacy.md)");
  cmd->add_option("files", opt->inputs, "Plaintext CSV files, or folders of them (docs/schema.md)")->required();
  add_common_options(cmd, opt->common);
  cmd->footer(
      "Exit codes: 0 every file encoded, 1 usage, 2 some file invalid (nothing is written), 3 internal error.\n");
  cmd->callback([opt, &run] { run = [opt] { return run_encode(*opt); }; });
}

}  // namespace joindots::cli
