#pragma once

// Real CSV files for the load tests: written to a temporary directory, read back by path.

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <bulkinsert/csv_load.hpp>

#include "temp_dir.hpp"

namespace test {

/// Load options into `table`, everything else at its default.
inline bulkinsert::CsvLoadOptions into(std::string table) {
  bulkinsert::CsvLoadOptions o;
  o.table = std::move(table);
  return o;
}

/// A CSV file with the given bytes, removed with its directory.
class CsvFile {
 public:
  explicit CsvFile(const std::string& content) : path_(dir_.file("in.csv")) {
    std::ofstream{path_, std::ios::binary} << content;
  }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  TempDir dir_;
  std::string path_;
};

/// "id,name,score,born,active" and `rows` generated rows, written as they are generated (never held).
inline void write_generated_csv(const std::string& path, std::size_t rows) {
  std::ofstream out{path, std::ios::binary};
  out << "id,name,score,born,active\n";
  std::string line;
  for (std::size_t i = 0; i < rows; ++i) {
    line.clear();
    fmt::format_to(std::back_inserter(line), "{},\"user {}, the {}th\",{}.{},{:04}-{:02}-{:02},{}\n", i + 1, i, i,
                   i % 1000, i % 100, 1950 + i % 70, 1 + i % 12, 1 + i % 28, i % 2 == 0 ? "true" : "false");
    out << line;
  }
}

/// What load_csv reported to on_reject, kept for checks.
struct RejectLog {
  std::vector<bulkinsert::CsvReject> rejects;
  void attach(bulkinsert::CsvLoadOptions& o) {
    o.on_reject = [this](const bulkinsert::CsvReject& r) { rejects.push_back(r); };
  }
  [[nodiscard]] std::vector<std::uint64_t> lines() const {
    std::vector<std::uint64_t> out;
    for (const auto& r : rejects) out.push_back(r.line);
    return out;
  }
};

}  // namespace test
