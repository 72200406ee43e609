// Table<Row>: struct, tuple and DynamicRow tables, and how columns are read.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <bulkinsert/chunk.hpp>
#include <bulkinsert/table.hpp>

using bulkinsert::DynamicRow;
using bulkinsert::Kind;
using bulkinsert::kind_of;
using bulkinsert::Table;
using bulkinsert::Value;

namespace {
struct Person {
  std::int64_t id;
  std::string first;
  std::string last;
  std::optional<std::string> email;
  [[nodiscard]] std::string full_name() const { return first + " " + last; }
};
}  // namespace

TEST_CASE("struct table reads members and getters", "[core][table]") {
  const auto table = Table<Person>{"people"}
                         .column("id", &Person::id)
                         .column("email", &Person::email)
                         .column("name", [](const Person& p) { return p.full_name(); })  // std::string by value
                         .column("first_len", [](const Person& p) { return p.first.size(); })
                         .column("first", [](const Person& p) -> const std::string& { return p.first; })
                         .schema("app");
  CHECK(table.name() == "people");
  CHECK(table.spec().schema == "app");
  CHECK(table.column_count() == 5);
  CHECK(table.spec().columns == std::vector<std::string>{"id", "email", "name", "first_len", "first"});

  const Person p{7, "Ada", "Lovelace", std::nullopt};
  bulkinsert::detail::ValueArena arena;
  CHECK(std::get<std::int64_t>(table.read(p, 0, arena)) == 7);
  CHECK(kind_of(table.read(p, 1, arena)) == Kind::null_value);
  const auto name = table.read(p, 2, arena);
  // The computed string outlives the getter's temporary: the arena keeps it.
  const auto name2 = table.read(Person{8, "Grace", "Hopper", "g@x"}, 2, arena);
  CHECK(std::get<std::string_view>(name) == "Ada Lovelace");
  CHECK(std::get<std::string_view>(name2) == "Grace Hopper");
  CHECK(std::get<std::int64_t>(table.read(p, 3, arena)) == 3);
  // A getter returning a reference borrows from the row.
  CHECK(std::get<std::string_view>(table.read(p, 4, arena)).data() == p.first.data());
}

TEST_CASE("tuple table reads by position", "[core][table]") {
  using Row = std::tuple<int, std::string, std::optional<double>>;
  const Table<Row> table{"t", {"a", "b", "c"}};
  CHECK(table.column_count() == 3);
  const Row row{1, "two", std::nullopt};
  bulkinsert::detail::ValueArena arena;
  CHECK(std::get<std::int64_t>(table.read(row, 0, arena)) == 1);
  CHECK(std::get<std::string_view>(table.read(row, 1, arena)).data() == std::get<1>(row).data());
  CHECK(kind_of(table.read(row, 2, arena)) == Kind::null_value);
  CHECK_THROWS_AS((Table<Row>{"t", {"a", "b"}}), bulkinsert::InputError);
  CHECK_THROWS_WITH((Table<Row>{"t", {"a", "b", "c", "d"}}), Catch::Contains("4 column names") && Catch::Contains("3 elements"));
}

TEST_CASE("dynamic table reads cells and checks widths", "[core][table]") {
  const Table<DynamicRow> table{"d", {"x", "y"}};
  const DynamicRow row{Value{std::int64_t{5}}, Value{bulkinsert::null}};
  bulkinsert::detail::ValueArena arena;
  CHECK(std::get<std::int64_t>(table.read(row, 0, arena)) == 5);
  CHECK(kind_of(table.read(row, 1, arena)) == Kind::null_value);
  CHECK_NOTHROW(table.check_row(row, 0));
  CHECK_THROWS_WITH(table.check_row(DynamicRow{Value{1.0}}, 41),
                    Catch::Contains("row 41") && Catch::Contains("1 values") && Catch::Contains("2 columns"));
  CHECK_THROWS_AS(table.check_row(DynamicRow{}, 0), bulkinsert::InputError);
  // An invalid date in a dynamic row is a ValueError when read.
  const DynamicRow bad{Value{bulkinsert::Date{std::chrono::year{2023}, std::chrono::month{2}, std::chrono::day{30}}},
                       Value{bulkinsert::null}};
  CHECK_THROWS_AS(table.read(bad, 0, arena), bulkinsert::ValueError);
}

TEST_CASE("arena keeps computed bytes", "[core][table]") {
  struct Blob {
    int n;
  };
  const auto table = Table<Blob>{"b"}.column("data", [](const Blob& b) {
    return bulkinsert::Bytes(static_cast<std::size_t>(b.n), std::byte{0xAB});
  });
  bulkinsert::detail::ValueArena arena;
  const auto v = table.read(Blob{3}, 0, arena);
  const auto w = table.read(Blob{1000}, 0, arena);
  const auto view = std::get<bulkinsert::BytesView>(v);
  CHECK(view.size() == 3);
  CHECK(view[2] == std::byte{0xAB});
  CHECK(std::get<bulkinsert::BytesView>(w).size() == 1000);
}

TEST_CASE("column domains follow the columns' C++ types", "[core][table]") {
  using bulkinsert::KindSet;
  using bulkinsert::ValueDomain;
  struct Reading {
    std::string name;
    std::uint64_t count;
    std::optional<double> level;
    std::chrono::sys_time<std::chrono::nanoseconds> at;
    bulkinsert::Timestamp at_us;
  };
  const auto table = Table<Reading>{"r"}
                         .column("name", &Reading::name)
                         .column("count", &Reading::count)
                         .column("level", &Reading::level)
                         .column("at", &Reading::at)
                         .column("at_us", &Reading::at_us)
                         .column("label", [](const Reading& r) noexcept -> const std::string& { return r.name; })
                         .column("upper", [](const Reading& r) { return r.name + "!"; })
                         .default_column("source", [] { return 1; });
  // Nothing about a std::string member can fail, nor be real: a backend skips its checks.
  CHECK(table.domain(0) == ValueDomain{KindSet{Kind::text}, false});
  // An unsigned 64-bit value may not fit; a nanosecond time point may have digits that do not.
  CHECK(table.domain(1) == ValueDomain{KindSet{Kind::integer}, true});
  CHECK(table.domain(2) == ValueDomain{KindSet{Kind::real, Kind::null_value}, false});
  CHECK(table.domain(3) == ValueDomain{KindSet{Kind::timestamp}, true});
  CHECK(table.domain(4) == ValueDomain{KindSet{Kind::timestamp}, false});
  CHECK(table.domain(5) == ValueDomain{KindSet{Kind::text}, false});
  // A getter that is not noexcept may throw anything.
  CHECK(table.domain(6) == ValueDomain{KindSet{Kind::text}, true});
  CHECK(table.domain(7) == ValueDomain{KindSet{Kind::integer}, true});
  CHECK(table.domains().size() == table.column_count());

  // Rows whose types say nothing (DynamicRow cells, tuples of Value) may hold anything.
  const Table<DynamicRow> dynamic{"d", {"x"}};
  CHECK(dynamic.domain(0) == ValueDomain{KindSet::all(), true});
  const Table<std::tuple<int, const char*, Value>> tuple{"t", {"a", "b", "c"}};
  CHECK(tuple.domain(0) == ValueDomain{KindSet{Kind::integer}, false});
  CHECK(tuple.domain(1) == ValueDomain{KindSet{Kind::text, Kind::null_value}, false});
  CHECK(tuple.domain(2) == ValueDomain{KindSet::all(), true});
}

TEST_CASE("read_row reads every column, and names the one that cannot be read", "[core][table]") {
  struct Row {
    std::int64_t id;
    std::uint64_t big;
    std::string name;
  };
  const auto table = Table<Row>{"r"}
                         .column("id", &Row::id)
                         .column("big", &Row::big)
                         .column("name", &Row::name)
                         .column("shout", [](const Row& r) { return r.name + "!"; });
  bulkinsert::detail::ValueArena arena;
  std::vector<bulkinsert::ValueRef> out(table.column_count());
  const Row good{1, 2, "ann"};
  table.read_row(good, out, arena);
  CHECK(std::get<std::int64_t>(out[0]) == 1);
  CHECK(std::get<std::int64_t>(out[1]) == 2);
  CHECK(std::get<std::string_view>(out[2]).data() == good.name.data());  // borrowed from the row
  CHECK(std::get<std::string_view>(out[3]) == "ann!");                   // kept in the arena
  for (std::size_t c = 0; c < out.size(); ++c) CHECK(kind_of(out[c]) == kind_of(table.read(good, c, arena)));

  try {
    table.read_row(Row{1, std::numeric_limits<std::uint64_t>::max(), "bob"}, out, arena);
    FAIL("an unsigned value above INT64_MAX was read");
  } catch (const bulkinsert::detail::CellValueError& e) {
    CHECK(e.column() == 1);
    CHECK_THAT(std::string{e.what()}, Catch::Contains("does not fit"));
  }
}

TEST_CASE("a column reader keeps a large getter, shared by copies of the table", "[core][table]") {
  // A capture too big to keep inline, and not trivially copyable: the reader holds it on the heap.
  const std::string suffix(100, 'x');
  auto table = Table<Person>{"p"}.column("tagged", [suffix](const Person& p) { return p.first + suffix; });
  const auto copy = table;
  table = Table<Person>{"other"};  // the original's readers are gone; the copy's still work
  bulkinsert::detail::ValueArena arena;
  const auto v = copy.read(Person{1, "Ada", "L", std::nullopt}, 0, arena);
  CHECK(std::get<std::string_view>(v) == "Ada" + suffix);
}

TEST_CASE("a chunk reads its rows in batches, and names the input row and column that cannot be read", "[core][table]") {
  struct Row {
    std::int64_t id;
    std::uint64_t big;
  };
  const auto table = Table<Row>{"r"}.column("id", &Row::id).column("big", &Row::big).column("twice", [](const Row& r) {
    return std::to_string(r.id * 2);  // computed: kept in the arena
  });
  std::vector<Row> rows;
  for (std::int64_t i = 0; i < 150; ++i) rows.push_back({i, static_cast<std::uint64_t>(i)});
  std::vector<const void*> pointers;
  for (const Row& r : rows) pointers.push_back(&r);
  bulkinsert::detail::ValueArena arena;
  // Input rows 1000..1149, chunk 3: more rows than one batch, and a last batch that is not full.
  const bulkinsert::Chunk chunk{table, pointers.data(), pointers.size(), 3, 1000, arena};
  static_assert(bulkinsert::Chunk::read_batch < 150);

  std::vector<bulkinsert::ValueRef> buffer;
  std::size_t seen = 0;
  chunk.for_each_row(10, 130, buffer, [&](std::size_t r, std::span<const bulkinsert::ValueRef> values) {
    REQUIRE(r == 10 + seen);
    REQUIRE(values.size() == 3);
    CHECK(std::get<std::int64_t>(values[0]) == static_cast<std::int64_t>(r));
    CHECK(std::get<std::int64_t>(values[1]) == static_cast<std::int64_t>(r));
    CHECK(std::get<std::string_view>(values[2]) == std::to_string(r * 2));
    ++seen;
  });
  CHECK(seen == 130);

  rows[77].big = std::numeric_limits<std::uint64_t>::max();
  CHECK_THROWS_WITH(chunk.for_each_row(0, chunk.size(), buffer, [](std::size_t, std::span<const bulkinsert::ValueRef>) {}),
                    Catch::Contains("row 1077") && Catch::Contains("column \"big\"") && Catch::Contains("does not fit"));
  std::vector<bulkinsert::ValueRef> one(3);
  CHECK_THROWS_AS(chunk.read_row(77, one), bulkinsert::InputError);
  CHECK_NOTHROW(chunk.read_row(76, one));
}
