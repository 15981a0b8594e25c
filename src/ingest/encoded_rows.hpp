#pragma once
// Reading an encoded agency file (docs/schema.md "Encoded mode"): the plaintext columns
// through RecordValidator, as for any file; the encoded ones (age_band, clk_scheme,
// key_fingerprint, clk, the token columns) checked here, with the same
// `FILE:LINE: field: message` problems.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "records/validate.hpp"
#include "store/store.hpp"

namespace joindots {

/// True when a header is an encoded file's (it has a clk column).
bool is_encoded_header(const std::vector<std::string>& header);

class EncodedRowReader {
 public:
  /// Checks the header: the plaintext columns as RecordValidator does, every encoded column
  /// present, and no plaintext identifier column. Throws BadInputError naming the file.
  EncodedRowReader(const std::string& file, const std::vector<std::string>& header, const AreaTable& areas);

  struct Row {
    Record record;
    EncodedColumns encoded;
    StoreEncoding encoding;
  };
  /// Validates one row; nullopt after adding its problems to `issues`. Every row must carry
  /// the scheme and key fingerprint of the file's first row.
  std::optional<Row> validate(const std::vector<std::string>& fields, std::int64_t line, IssueCollector& issues,
                              IssueCollector* warnings = nullptr);

 private:
  std::string file_;
  std::optional<RecordValidator> plain_;
  int age_band_ = -1, scheme_ = -1, fingerprint_ = -1, clk_ = -1;
  std::vector<std::pair<int, std::string>> tokens_;  // (position, column)
  std::optional<StoreEncoding> first_;               // of the first valid row
};

}  // namespace joindots
