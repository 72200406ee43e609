// CsvReader against real files: every quoting edge case, line endings, malformed input.

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <bulkinsert/csv.hpp>

#include "support/temp_dir.hpp"

namespace {

using Records = std::vector<std::vector<std::string>>;

struct CsvFile {
  test::TempDir dir;
  std::string path;
  explicit CsvFile(const std::string& content, const std::string& name = "in.csv") : path(dir.file(name)) {
    std::ofstream{path, std::ios::binary} << content;
  }
};

Records read_all(bulkinsert::CsvReader& r) {
  Records out;
  while (r.next()) {
    auto& rec = out.emplace_back();
    for (std::size_t i = 0; i < r.size(); ++i) rec.emplace_back(r.field(i));
  }
  return out;
}

Records read_file(const std::string& content, bulkinsert::CsvOptions options = {}) {
  CsvFile f{content};
  bulkinsert::CsvReader r{f.path, options};
  return read_all(r);
}

/// Every read size from 1 byte up, so each construct is split across buffer refills somewhere.
template <class Check>
void for_read_sizes(const std::string& content, bulkinsert::CsvOptions options, Check check) {
  CsvFile f{content};
  for (std::size_t n = 1; n <= content.size() + 1; ++n) {
    CAPTURE(n);
    options.read_bytes = n;
    bulkinsert::CsvReader r{f.path, options};
    check(r);
  }
}

}  // namespace

TEST_CASE("csv reader reads quoted delimiters, doubled quotes and line breaks", "[core][csv]") {
  const std::string content =
      "a,b,c\n"
      "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
      "\"\",,\"crlf\r\ninside\"\n"
      "plain,\"\"\"\",end\n";
  const Records expected{{"x,y", "say \"hi\"", "two\nlines"}, {"", "", "crlf\r\ninside"}, {"plain", "\"", "end"}};
  for_read_sizes(content, {}, [&](bulkinsert::CsvReader& r) {
    REQUIRE(r.header() == std::vector<std::string>{"a", "b", "c"});
    REQUIRE(read_all(r) == expected);
    REQUIRE(r.records() == 3);
    REQUIRE(r.bytes_read() == content.size());
  });
}

TEST_CASE("csv reader numbers lines across quoted line breaks", "[core][csv]") {
  CsvFile f{"a,b\n1,\"x\ny\nz\"\n2,w\n\"3\r\n\",v\r\n4,u"};
  bulkinsert::CsvReader r{f.path};
  std::vector<std::uint64_t> lines;
  while (r.next()) lines.push_back(r.line());
  REQUIRE(lines == std::vector<std::uint64_t>{2, 5, 6, 8});
}

TEST_CASE("csv reader tells quoted empty strings from empty fields", "[core][csv]") {
  CsvFile f{"a,b,c\n\"\",,x\n"};
  bulkinsert::CsvReader r{f.path};
  REQUIRE(r.next());
  REQUIRE(r.quoted(0));
  REQUIRE_FALSE(r.quoted(1));
  REQUIRE(r.field(0).empty());
  REQUIRE(r.field(1).empty());
}

TEST_CASE("csv reader accepts LF, CRLF, a missing final line break and a byte-order mark", "[core][csv]") {
  const Records expected{{"1", "2"}, {"3", "4"}};
  for (const std::string content : {"a,b\n1,2\n3,4\n", "a,b\r\n1,2\r\n3,4\r\n", "a,b\n1,2\n3,4", "a,b\r\n1,2\r\n3,4",
                                    "\xEF\xBB\xBF" "a,b\r\n1,2\r\n3,4\r\n"}) {
    CAPTURE(content);
    for_read_sizes(content, {}, [&](bulkinsert::CsvReader& r) {
      REQUIRE(r.header() == std::vector<std::string>{"a", "b"});
      REQUIRE(read_all(r) == expected);
    });
  }
}

TEST_CASE("csv reader takes comma, tab, semicolon and pipe as delimiters", "[core][csv]") {
  const char d = GENERATE(',', '\t', ';', '|');
  CAPTURE(d);
  std::string content = "a,b,c\n1,\"x,y\",\"p;q|r\ts\"\n";
  for (char& c : content)
    if (c == ',') c = d;
  // The quoted fields keep whatever delimiter characters they hold.
  std::string second = "x,y";
  for (char& c : second)
    if (c == ',') c = d;
  std::string third = "p;q|r\ts";
  if (d == ',') third = "p;q|r\ts";
  REQUIRE(read_file(content, {.delimiter = d}) == Records{{"1", second, third}});
}

TEST_CASE("csv reader refuses a delimiter that cannot work", "[core][csv]") {
  CsvFile f{"a\n"};
  REQUIRE_THROWS_AS((bulkinsert::CsvReader{f.path, {.delimiter = '"'}}), bulkinsert::InputError);
  REQUIRE_THROWS_AS((bulkinsert::CsvReader{f.path, {.delimiter = '\n'}}), bulkinsert::InputError);
}

TEST_CASE("csv reader keeps a trailing empty field", "[core][csv]") {
  REQUIRE(read_file("a,b\n1,\n2,") == Records{{"1", ""}, {"2", ""}});
}

TEST_CASE("csv reader skips and counts blank lines in multi-column files", "[core][csv]") {
  CsvFile f{"a,b\n\n1,2\r\n\r\n3,4\n\n"};
  bulkinsert::CsvReader r{f.path};
  REQUIRE(read_all(r) == Records{{"1", "2"}, {"3", "4"}});
  REQUIRE(r.blank_lines() == 3);
  REQUIRE(r.records() == 2);
}

TEST_CASE("csv reader reads an empty line of a one-column file as an empty field", "[core][csv]") {
  REQUIRE(read_file("a\nx\n\ny\n") == Records{{"x"}, {""}, {"y"}});
}

TEST_CASE("csv reader without a header fixes the width from the first record", "[core][csv]") {
  CsvFile f{"1,2\n3,4\n5\n"};
  bulkinsert::CsvReader r{f.path, {.header = false}};
  REQUIRE(r.header().empty());
  REQUIRE(r.next());
  REQUIRE(r.next());
  REQUIRE_THROWS_AS(r.next(), bulkinsert::CsvError);
}

TEST_CASE("csv reader reads a 1 MiB field", "[core][csv]") {
  std::string big(1 << 20, 'x');
  big[1000] = ',';
  big[2000] = '\n';
  big[3000] = '"';
  std::string quoted = "\"";
  for (const char c : big) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  CsvFile f{"id,body\n1," + quoted + "\n2,small\n"};
  bulkinsert::CsvReader r{f.path, {.read_bytes = 64 * 1024}};
  REQUIRE(r.next());
  REQUIRE(r.field(1) == big);
  REQUIRE(r.next());
  REQUIRE(r.field(1) == "small");
  REQUIRE(r.line() == 4);
  REQUIRE_FALSE(r.next());
}

TEST_CASE("csv reader refuses a record longer than the limit, naming its line", "[core][csv]") {
  CsvFile f{"a,b\n1,2\n3,\"" + std::string(5000, 'y') + "\n"};
  bulkinsert::CsvReader r{f.path, {.max_record_bytes = 1000}};
  REQUIRE(r.next());
  try {
    r.next();
    FAIL("no error");
  } catch (const bulkinsert::CsvError& e) {
    REQUIRE_FALSE(e.recoverable());
    REQUIRE(e.line() == 3);
    REQUIRE_THAT(e.what(), Catch::Contains("longer than 1000 bytes"));
  }
}

TEST_CASE("csv reader reports an unclosed quote at the line it opens", "[core][csv]") {
  for_read_sizes("a,b\n1,2\n3,\"open\n4,5\n6,7\n", {}, [](bulkinsert::CsvReader& r) {
    REQUIRE(r.next());
    try {
      r.next();
      FAIL("no error");
    } catch (const bulkinsert::CsvError& e) {
      REQUIRE_FALSE(e.recoverable());
      REQUIRE(e.line() == 3);
      REQUIRE(e.field() == 2);
      REQUIRE_THAT(e.what(), Catch::Contains("line 3") && Catch::Contains("field 2 (\"b\")") &&
                                 Catch::Contains("never closed"));
    }
  });
}

namespace {
/// Reads the file, expecting exactly one recoverable error; returns it and the good records around it.
std::pair<bulkinsert::CsvError, Records> one_bad_record(const std::string& content, std::size_t read_bytes = 1 << 20) {
  CsvFile f{content};
  bulkinsert::CsvReader r{f.path, {.read_bytes = read_bytes}};
  std::optional<bulkinsert::CsvError> error;
  Records good;
  for (;;) {
    try {
      if (!r.next()) break;
      auto& rec = good.emplace_back();
      for (std::size_t i = 0; i < r.size(); ++i) rec.emplace_back(r.field(i));
    } catch (const bulkinsert::CsvError& e) {
      REQUIRE(e.recoverable());
      REQUIRE_FALSE(error);
      error = e;
    }
  }
  REQUIRE(error);
  REQUIRE(r.records() == good.size() + 1);  // the bad record is counted as read
  return {*error, good};
}
}  // namespace

TEST_CASE("csv reader reports a row with the wrong number of fields and goes on", "[core][csv]") {
  for (const std::string& bad : {std::string{"3,4,5"}, std::string{"3"}}) {
    const auto [e, good] = one_bad_record("a,b\n1,2\n" + bad + "\n6,7\n");
    REQUIRE(e.line() == 3);
    REQUIRE_THAT(e.what(), Catch::Contains("line 3") && Catch::Contains("but the header has 2"));
    REQUIRE(good == Records{{"1", "2"}, {"6", "7"}});
  }
}

TEST_CASE("csv reader reports a NUL byte with its line and field", "[core][csv]") {
  for (const std::string& bad : {std::string{"x\0y,2", 5}, std::string{"1,\"a\0\"", 7}}) {
    for (std::size_t n : {1, 3, 1 << 20}) {
      const auto [e, good] = one_bad_record("a,b\n1,2\n" + bad + "\n6,7\n", n);
      REQUIRE(e.line() == 3);
      REQUIRE_THAT(e.what(), Catch::Contains("NUL byte"));
      REQUIRE(good == Records{{"1", "2"}, {"6", "7"}});
    }
  }
}

TEST_CASE("csv reader reports stray quotes and lone carriage returns", "[core][csv]") {
  SECTION("a quote inside an unquoted field") {
    const auto [e, good] = one_bad_record("a,b\n1,2\nx\"y,3\n6,7\n");
    REQUIRE(e.line() == 3);
    REQUIRE(e.field() == 1);
    REQUIRE_THAT(e.what(), Catch::Contains("quote inside an unquoted field"));
    REQUIRE(good.size() == 2);
  }
  SECTION("text after a closing quote") {
    const auto [e, good] = one_bad_record("a,b\n1,2\n\"x\"y,3\n6,7\n");
    REQUIRE(e.line() == 3);
    REQUIRE_THAT(e.what(), Catch::Contains("after a closing quote"));
    REQUIRE(good.size() == 2);
  }
  SECTION("a carriage return alone") {
    const auto [e, good] = one_bad_record("a,b\n1,2\n3,4\r6,7\n8,9\n");
    REQUIRE(e.line() == 3);
    REQUIRE_THAT(e.what(), Catch::Contains("carriage return"));
  }
}

TEST_CASE("csv reader reads from a stream the caller opened", "[core][csv]") {
  CsvFile f{"a\n1\n2\n"};
  std::FILE* file = std::fopen(f.path.c_str(), "rb");
  REQUIRE(file != nullptr);
  {
    bulkinsert::CsvReader r{file, "numbers"};
    REQUIRE(read_all(r) == Records{{"1"}, {"2"}});
    REQUIRE(r.name() == "numbers");
  }
  std::fclose(file);
}

TEST_CASE("csv reader knows the size of a regular file", "[core][csv]") {
  CsvFile f{"a\n1\n"};
  bulkinsert::CsvReader r{f.path};
  REQUIRE(r.total_bytes() == 4);
}

TEST_CASE("csv reader names a file it cannot open", "[core][csv]") {
  REQUIRE_THROWS_WITH(bulkinsert::CsvReader{"/nonexistent/x.csv"}, Catch::Contains("/nonexistent/x.csv"));
}

TEST_CASE("csv records written back read the same", "[core][csv]") {
  CsvFile f{"a,b,c\n\"x,\"\"y\"\"\",\"\",\"l1\nl2\"\n"};
  bulkinsert::CsvReader r{f.path};
  REQUIRE(r.next());
  const std::string text = r.record_text();
  CsvFile again{"a,b,c\n" + text + "\n"};
  bulkinsert::CsvReader r2{again.path};
  REQUIRE(r2.next());
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(r2.field(i) == r.field(i));
    REQUIRE(r2.quoted(i) == r.quoted(i));
  }
}
