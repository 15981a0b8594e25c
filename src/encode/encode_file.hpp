#pragma once
// `joindots encode`: plaintext agency files into encoded ones (docs/schema.md "Encoded
// mode"), run by each agency on its own machine. Every input is read and validated as
// `ingest` reads it (records/validate.hpp); the encoded files are written under temporary
// names and renamed into place only when every input was valid, so a bad input leaves
// nothing written.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/areas.hpp"
#include "core/progress.hpp"
#include "encode/encoder.hpp"

namespace joindots::encode {

/// The columns an encoded file keeps in plaintext, in order (attr_* columns follow them).
inline constexpr std::array<std::string_view, 12> kPlainColumns = {
    "record_id", "source_type", "source_org", "role",    "record_type", "event_date",
    "last_date", "case_ref",    "offence_count", "lad_cd", "sex",       "age_band"};
/// The columns that make a file an encoded one: the scheme, the key's fingerprint, the CLK
/// (URL-safe base64 without padding) and then the token columns (kTokenColumns).
inline constexpr std::string_view kSchemeColumn = "clk_scheme";
inline constexpr std::string_view kFingerprintColumn = "key_fingerprint";
inline constexpr std::string_view kClkColumn = "clk";

/// The header of an encoded file with these attr_* columns (names with the prefix).
std::vector<std::string> encoded_header(const std::vector<std::string>& attr_columns);

struct EncodedFile {
  std::filesystem::path input, output;
  std::int64_t rows = 0, warnings = 0;
};

/// Encodes each input into `out_dir`/<its file name>. Throws BadInputError (nothing
/// written) at the first input with any invalid row, naming every problem as ingest does;
/// UsageError when two inputs share a file name or an output would replace its input.
/// `progress` (may be null) advances by the bytes read.
std::vector<EncodedFile> encode_files(const RecordEncoder& encoder, const AreaTable& areas,
                                      const std::vector<std::filesystem::path>& inputs,
                                      const std::filesystem::path& out_dir, Progress* progress = nullptr);

}  // namespace joindots::encode
