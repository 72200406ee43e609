// CSV reader: any bytes, with a delimiter, header flag, read size and record limit taken from the first
// bytes, must read to the end or stop with a bulkinsert::Error (CsvError for the data, InputError for a
// bad delimiter); never crash, hang or read out of bounds. A record read cleanly, written back with
// record_text(), must read again as the same fields.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <bulkinsert/csv.hpp>
#include <bulkinsert/error.hpp>

#include "expect.hpp"

namespace {

using fuzz::check;

struct Close {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, Close>;

/// A read-only stream over `bytes` (fmemopen refuses a size of 0 on some libcs: use a 1-byte
/// buffer and an empty stream then).
File memory_file(const std::string& bytes) {
  static char empty[1] = {0};
  if (bytes.empty()) return File{fmemopen(empty, 1, "r")};
  return File{fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "r")};
}

/// Reads `text` as one record with `options`; its fields, or nothing when it does not read cleanly.
std::vector<std::string> reread(const std::string& text, bulkinsert::CsvOptions options) {
  std::string line = text + "\n";
  File f = memory_file(line);
  options.header = false;
  bulkinsert::CsvReader csv{f.get(), "reread", options};
  std::vector<std::string> fields;
  check(csv.next(), "a record written back reads as a record");
  for (std::size_t i = 0; i < csv.size(); ++i) fields.emplace_back(csv.field(i));
  check(!csv.next(), "a record written back is one record");
  return fields;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  static constexpr char delimiters[] = {',', '\t', ';', '|'};
  bulkinsert::CsvOptions options;
  options.delimiter = data[0] < 192 ? delimiters[data[0] % 4] : static_cast<char>(data[0] - 128);  // some are refused
  options.header = (data[1] & 1) != 0;
  // 1 to 128 bytes per read: small reads split quotes, CRLFs and the byte-order mark across refills
  // (the default 1 MiB buffer would only cost time per run: the logic is the same).
  options.read_bytes = 1 + (data[1] >> 1);
  options.max_record_bytes = data[2] < 128 ? data[2] : options.max_record_bytes;
  const std::string input(reinterpret_cast<const char*>(data) + 3, size - 3);

  File f = memory_file(input);
  check(f != nullptr, "fmemopen");
  try {
    bulkinsert::CsvReader csv{f.get(), "fuzz", options};
    for (std::size_t guard = 0; guard <= input.size() + 1; ++guard) {
      try {
        if (!csv.next()) return 0;
      } catch (const bulkinsert::CsvError& e) {
        if (!e.recoverable()) return 0;
        continue;
      }
      check(csv.size() >= 1, "a record has a field");
      std::vector<std::string> fields;
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < csv.size(); ++i) {
        fields.emplace_back(csv.field(i));
        bytes += fields.back().size();
      }
      check(bytes <= input.size(), "fields come from the input");
      // Written back and read again: the same fields. Not for a lone empty field (an empty line, which
      // a fresh reader skips) nor a first field starting with a byte-order mark (which it drops).
      const bool lone_empty = fields.size() == 1 && fields[0].empty() && !csv.quoted(0);
      const bool bom = fields[0].rfind("\xEF\xBB\xBF", 0) == 0;
      if (!lone_empty && !bom && csv.record_text().size() < 4096) {
        auto rest = options;
        rest.max_record_bytes = 1u << 20;
        rest.read_bytes = 4096;  // the default 1 MiB buffer per record would dominate the run time
        check(reread(csv.record_text(), rest) == fields, "record_text() reads back as the same fields");
      }
    }
    fuzz::fail("the reader ends: at most one record per input byte");
  } catch (const bulkinsert::CsvError& e) {
    check(!e.recoverable() || options.header, "only the header may fail recoverably outside next()");
  } catch (const bulkinsert::InputError&) {
    const char d = options.delimiter;
    check(d == '"' || d == '\r' || d == '\n' || d == '\0', "only a bad delimiter is refused up front");
  }
  return 0;
}
