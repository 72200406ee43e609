#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"
#include "value.hpp"

namespace bulkinsert {

class Chunk;

/// A row whose shape is known only at run time, as a CSV file's: one Value per column.
using DynamicRow = std::vector<Value>;

/// What to do with a row whose key already exists (an upsert).
struct OnConflict {
  std::vector<std::string> target{};  ///< the unique columns that conflict; may be empty for DO NOTHING
  std::vector<std::string> update{};  ///< columns to overwrite from the new row; empty means DO NOTHING
  friend bool operator==(const OnConflict&, const OnConflict&) = default;
};

/// Where the rows go: an optional schema, the table, its columns in the order values are sent, and
/// what the INSERT adds (ON CONFLICT, RETURNING).
struct TableSpec {
  std::string schema{};  ///< empty: the connection's default (search_path on PostgreSQL, "main" on SQLite)
  std::string name{};
  std::vector<std::string> columns{};
  std::optional<OnConflict> on_conflict{};
  std::vector<std::string> returning{};  ///< set by insert_returning for one call
  friend bool operator==(const TableSpec&, const TableSpec&) = default;
};

namespace detail {

/// Whether rows of `t` may update existing ones: an upsert that sets columns on conflict.
[[nodiscard]] inline bool updates_on_conflict(const TableSpec& t) noexcept {
  return t.on_conflict && !t.on_conflict->update.empty();
}

/// Owns values that a column computes instead of borrowing from the row (a getter returning
/// std::string by value); lives as long as one chunk, so views into it stay valid while it is sent.
class ValueArena {
 public:
  /// A copy of `text` (or `bytes`) that lives as long as the arena's chunk.
  ValueRef keep(std::string_view text) { return view(values_.emplace_back(std::in_place_type<std::string>, text)); }
  ValueRef keep(BytesView bytes) { return view(values_.emplace_back(std::in_place_type<Bytes>, bytes.begin(), bytes.end())); }
  void clear() noexcept { values_.clear(); }

 private:
  std::deque<Value> values_;  // a deque never moves what it holds
};

/// A ValueError raised while reading many values at once, with the one it came from: its row within
/// the rows read, and its column.
class CellValueError : public ValueError {
 public:
  CellValueError(std::size_t row, std::size_t column, const char* what) : ValueError(what), row_(row), column_(column) {}
  [[nodiscard]] std::size_t row() const noexcept { return row_; }
  [[nodiscard]] std::size_t column() const noexcept { return column_; }

 private:
  std::size_t row_;
  std::size_t column_;
};

/// How one column of a Row is read: a plain function, and the callable it calls (a lambda holding a
/// member pointer or a getter) kept inline when it is small and trivially copyable, shared otherwise.
/// One call reads the column for a batch of rows, so the indirect call is paid per batch and the
/// callable is inlined into the loop. std::function<ValueRef(const Row&)> would cost a call per value:
/// measurably too much next to a hand-written sqlite3 loop (see the README's performance section).
template <class Row>
class ColumnReader {
 public:
  /// `read(row, arena)` returns the column's ValueRef.
  template <class Read>
  explicit ColumnReader(Read read) {
    if constexpr (kept_inline<Read>) ::new (static_cast<void*>(inline_)) Read(std::move(read));
    else shared_ = std::make_shared<const Read>(std::move(read));
    read_ = [](const ColumnReader& self, const void* const* rows, std::size_t count, ValueArena& arena, ValueRef* out,
               std::size_t stride) { read_each(self.callable<Read>(), rows, count, arena, out, stride); };
  }

  /// The column of `count` rows (`rows` point at Row objects) into out[0], out[stride], ...
  /// A value that cannot be represented throws CellValueError with its row (its column left 0).
  void operator()(const void* const* rows, std::size_t count, ValueArena& arena, ValueRef* out, std::size_t stride) const {
    read_(*this, rows, count, arena, out, stride);
  }

 private:
  static constexpr std::size_t inline_size = 2 * sizeof(void*);
  template <class Read>
  static constexpr bool kept_inline =
      sizeof(Read) <= inline_size && alignof(Read) <= alignof(void*) && std::is_trivially_copyable_v<Read>;

  template <class Read>
  [[nodiscard]] const Read& callable() const noexcept {
    if constexpr (kept_inline<Read>) return *std::launder(reinterpret_cast<const Read*>(inline_));
    else return *static_cast<const Read*>(shared_.get());
  }

  template <class Read>
  static void read_each(const Read& read, const void* const* rows, std::size_t count, ValueArena& arena, ValueRef* out,
                        std::size_t stride) {
    std::size_t r = 0;
    try {
      for (; r < count; ++r, out += stride) *out = read(*static_cast<const Row*>(rows[r]), arena);
    } catch (const ValueError& e) {
      throw CellValueError(r, 0, e.what());
    }
  }

  void (*read_)(const ColumnReader&, const void* const*, std::size_t, ValueArena&, ValueRef*, std::size_t);
  alignas(void*) unsigned char inline_[inline_size];
  std::shared_ptr<const void> shared_;  // a callable too big, or not trivially copyable, to keep inline
};

template <class T>
struct is_tuple : std::false_type {};
template <class... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};

template <class R>
ValueRef read_result(R&& r, ValueArena& arena) {
  using T = std::remove_cvref_t<R>;
  if constexpr (std::is_lvalue_reference_v<R> || std::is_trivially_copyable_v<T>) {
    return to_value(r);  // borrows from the row, or holds the scalar itself
  } else {
    // A computed string or blob: keep it alive for the chunk, then view it.
    const ValueRef v = to_value(r);
    return std::visit([&](const auto& x) -> ValueRef {
      using X = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<X, std::string_view> || std::is_same_v<X, BytesView>) return arena.keep(x);
      else return x;
    }, v);
  }
}

}  // namespace detail

/// Which columns a Row fills and how to read each one. Rows are structs (columns by member pointer
/// or getter), std::tuple (columns by position) or DynamicRow (columns by position, checked width).
///
///     const auto users = bulkinsert::Table<User>{"users"}
///         .column("username", &User::username)
///         .column("email", &User::email);
template <class Row>
class Table {
 public:
  using row_type = Row;

  /// A table whose columns are added one by one with column().
  explicit Table(std::string name) { spec_.name = std::move(name); }

  /// Tuple or DynamicRow rows: one name per position.
  Table(std::string name, std::vector<std::string> column_names)
    requires(detail::is_tuple<Row>::value || std::is_same_v<Row, DynamicRow>)
  {
    spec_.name = std::move(name);
    if constexpr (detail::is_tuple<Row>::value) {
      if (column_names.size() != std::tuple_size_v<Row>)
        throw InputError(fmt::format("table \"{}\": {} column names given for a tuple of {} elements", spec_.name,
                                     column_names.size(), std::tuple_size_v<Row>));
      add_tuple_columns(std::move(column_names), std::make_index_sequence<std::tuple_size_v<Row>>{});
    } else {
      for (std::size_t i = 0; i < column_names.size(); ++i)
        add(std::move(column_names[i]), domain_of<Value>(),
            [i](const Row& row, detail::ValueArena&) { return to_value(row[i]); });
    }
  }

  /// Column `name` is read from a data member.
  template <class Member>
    requires sql_value<Member>
  Table& column(std::string name, Member Row::*member) & {
    add(std::move(name), domain_of<Member>(), [member](const Row& row, detail::ValueArena&) { return to_value(row.*member); });
    return *this;
  }
  template <class Member>
    requires sql_value<Member>
  Table&& column(std::string name, Member Row::*member) && {
    return std::move(column(std::move(name), member));
  }

  /// Column `name` is computed by `getter(row)`; a result returned by value is kept alive while its chunk is sent.
  template <class Getter>
    requires std::invocable<const Getter&, const Row&> &&
             sql_value<std::remove_cvref_t<std::invoke_result_t<const Getter&, const Row&>>>
  Table& column(std::string name, Getter getter) & {
    using Result = std::invoke_result_t<const Getter&, const Row&>;
    constexpr ValueDomain result = domain_of<Result>();
    constexpr bool may_throw = result.may_throw || !std::is_nothrow_invocable_v<const Getter&, const Row&>;
    add(std::move(name), {result.kinds, may_throw}, [getter = std::move(getter)](const Row& row, detail::ValueArena& arena) {
      return detail::read_result(std::invoke(getter, row), arena);
    });
    return *this;
  }
  template <class Getter>
    requires std::invocable<const Getter&, const Row&> &&
             sql_value<std::remove_cvref_t<std::invoke_result_t<const Getter&, const Row&>>>
  Table&& column(std::string name, Getter getter) && {
    return std::move(column(std::move(name), std::move(getter)));
  }

  /// Column `name` is read from an optional member; where a row leaves it empty, `fallback()` supplies
  /// the value (a client-side default: bulkinsert::now_utc, bulkinsert::uuid_v4, a constant), filled in
  /// while the row is encoded, without copying the rows. Bulk paths skip the ORM's defaults; this does not.
  template <class Member, class Fallback>
    requires sql_value<Member> && std::invocable<const Fallback&> &&
             sql_value<std::remove_cvref_t<std::invoke_result_t<const Fallback&>>>
  Table& column(std::string name, std::optional<Member> Row::*member, Fallback fallback) & {
    using Result = std::invoke_result_t<const Fallback&>;
    constexpr ValueDomain present = domain_of<Member>();
    constexpr ValueDomain absent = domain_of<Result>();
    constexpr bool may_throw = present.may_throw || absent.may_throw || !std::is_nothrow_invocable_v<const Fallback&>;
    add(std::move(name), {present.kinds | absent.kinds, may_throw},
        [member, fallback = std::move(fallback)](const Row& row, detail::ValueArena& arena) -> ValueRef {
      const std::optional<Member>& v = row.*member;
      if (v) return to_value(*v);
      return detail::read_result(std::invoke(fallback), arena);
    });
    return *this;
  }
  template <class Member, class Fallback>
    requires sql_value<Member> && std::invocable<const Fallback&> &&
             sql_value<std::remove_cvref_t<std::invoke_result_t<const Fallback&>>>
  Table&& column(std::string name, std::optional<Member> Row::*member, Fallback fallback) && {
    return std::move(column(std::move(name), member, std::move(fallback)));
  }

  /// Column `name` is not in the row at all: every row gets `generate()` (a client-side default).
  template <class Generator>
    requires std::invocable<const Generator&> &&
             sql_value<std::remove_cvref_t<std::invoke_result_t<const Generator&>>>
  Table& default_column(std::string name, Generator generate) & {
    using Result = std::invoke_result_t<const Generator&>;
    constexpr ValueDomain result = domain_of<Result>();
    constexpr bool may_throw = result.may_throw || !std::is_nothrow_invocable_v<const Generator&>;
    add(std::move(name), {result.kinds, may_throw}, [generate = std::move(generate)](const Row&, detail::ValueArena& arena) {
      return detail::read_result(std::invoke(generate), arena);
    });
    return *this;
  }
  template <class Generator>
    requires std::invocable<const Generator&> &&
             sql_value<std::remove_cvref_t<std::invoke_result_t<const Generator&>>>
  Table&& default_column(std::string name, Generator generate) && {
    return std::move(default_column(std::move(name), std::move(generate)));
  }

  /// Puts the table in a schema (PostgreSQL schema, SQLite attached database).
  Table& schema(std::string schema) & {
    spec_.schema = std::move(schema);
    return *this;
  }
  Table&& schema(std::string schema) && { return std::move(this->schema(std::move(schema))); }

  /// Rows whose `target` key already exists are skipped (ON CONFLICT (target) DO NOTHING); an empty
  /// target skips a row that conflicts with any unique constraint.
  Table& on_conflict_do_nothing(std::vector<std::string> target = {}) & {
    spec_.on_conflict = OnConflict{std::move(target), {}};
    return *this;
  }
  Table&& on_conflict_do_nothing(std::vector<std::string> target = {}) && {
    return std::move(on_conflict_do_nothing(std::move(target)));
  }

  /// Rows whose `target` key already exists overwrite `columns` of the existing row with their own values
  /// (ON CONFLICT (target) DO UPDATE SET c = excluded.c). Every name must be one of this table's columns.
  Table& on_conflict_update(std::vector<std::string> target, std::vector<std::string> columns) & {
    if (target.empty()) throw InputError(fmt::format("table \"{}\": an upsert that updates needs a conflict target", spec_.name));
    if (columns.empty()) throw InputError(fmt::format("table \"{}\": an upsert needs at least one column to update", spec_.name));
    spec_.on_conflict = OnConflict{std::move(target), std::move(columns)};
    return *this;
  }
  Table&& on_conflict_update(std::vector<std::string> target, std::vector<std::string> columns) && {
    return std::move(on_conflict_update(std::move(target), std::move(columns)));
  }

  /// The same table with the rows' values for `columns` returned by the INSERT (used by insert_returning).
  [[nodiscard]] Table returning(std::vector<std::string> columns) const {
    Table t = *this;
    t.spec_.returning = std::move(columns);
    return t;
  }

  /// Index of column `name`, or column_count() if there is none.
  [[nodiscard]] std::size_t column_index(std::string_view name) const noexcept {
    std::size_t i = 0;
    while (i < spec_.columns.size() && spec_.columns[i] != name) ++i;
    return i;
  }

  [[nodiscard]] const TableSpec& spec() const noexcept { return spec_; }
  [[nodiscard]] const std::string& name() const noexcept { return spec_.name; }
  [[nodiscard]] std::size_t column_count() const noexcept { return spec_.columns.size(); }

  /// What column `column`'s C++ type says of its values.
  [[nodiscard]] const ValueDomain& domain(std::size_t column) const noexcept { return domains_[column]; }
  /// Every column's ValueDomain, in column order.
  [[nodiscard]] std::span<const ValueDomain> domains() const noexcept { return domains_; }

  /// The value of column `column` of `row`.
  [[nodiscard]] ValueRef read(const Row& row, std::size_t column, detail::ValueArena& arena) const {
    const void* rows[] = {&row};
    ValueRef v;
    readers_[column](rows, 1, arena, &v, 1);
    return v;
  }

  /// Every column of `row`, in order, into `out` (column_count() values). A value that cannot be
  /// represented throws detail::CellValueError naming its column.
  void read_row(const Row& row, std::span<ValueRef> out, detail::ValueArena& arena) const {
    const void* rows[] = {&row};
    read_rows(rows, 1, out.data(), arena);
  }

  /// About how many bytes `row` takes on its way to the database: its text and bytes values' lengths plus
  /// 8 bytes for every other value, read only from the columns whose type can hold text or bytes. The
  /// load engine bounds a chunk by it, so that a chunk of wide rows does not hold more memory than a
  /// chunk of narrow ones. A value that cannot be read counts 0 here: its error is raised, naming its
  /// row and column, when the chunk is encoded.
  [[nodiscard]] std::size_t payload_bytes(const Row& row, detail::ValueArena& scratch) const {
    std::size_t bytes = fixed_width_bytes_;
    const void* rows[] = {&row};
    for (const std::size_t c : variable_width_columns_) {
      ValueRef v;
      try {
        readers_[c](rows, 1, scratch, &v, 1);
      } catch (const ValueError&) {
        continue;
      }
      if (const auto* text = std::get_if<std::string_view>(&v)) bytes += text->size();
      else if (const auto* data = std::get_if<BytesView>(&v)) bytes += data->size();
      else bytes += fixed_value_bytes;
    }
    return bytes;
  }

  /// Throws InputError if `row` cannot be read as this table's row (a DynamicRow of the wrong width).
  void check_row(const Row& row, std::size_t input_row) const {
    if constexpr (std::is_same_v<Row, DynamicRow>) {
      if (row.size() != spec_.columns.size())
        throw InputError(fmt::format("row {} has {} values but table \"{}\" has {} columns", input_row, row.size(),
                                     spec_.name, spec_.columns.size()));
    } else {
      (void)row;
      (void)input_row;
    }
  }

 private:
  friend class Chunk;  // reads rows in batches, through pointers that have lost their type

  /// `count` rows (`rows` point at Row objects) into `out`, row-major (count x column_count() values),
  /// a column at a time. A value that cannot be represented throws detail::CellValueError naming its
  /// row (among these) and column.
  void read_rows(const void* const* rows, std::size_t count, ValueRef* out, detail::ValueArena& arena) const {
    const std::size_t n = readers_.size();
    for (std::size_t c = 0; c < n; ++c) {
      try {
        readers_[c](rows, count, arena, out + c, n);
      } catch (const detail::CellValueError& e) {
        throw detail::CellValueError(e.row(), c, e.what());
      }
    }
  }

  using Reader = detail::ColumnReader<Row>;

  /// What payload_bytes() counts for a value that is neither text nor bytes: the widest fixed-size value.
  static constexpr std::size_t fixed_value_bytes = 8;

  template <class Read>
  void add(std::string name, ValueDomain domain, Read read) {
    if (domain.kinds.contains(Kind::text) || domain.kinds.contains(Kind::bytes))
      variable_width_columns_.push_back(spec_.columns.size());
    else
      fixed_width_bytes_ += fixed_value_bytes;
    spec_.columns.push_back(std::move(name));
    domains_.push_back(domain);
    readers_.emplace_back(std::move(read));
  }

  template <std::size_t... I>
  void add_tuple_columns(std::vector<std::string> names, std::index_sequence<I...>) {
    (add(std::move(names[I]), domain_of<std::tuple_element_t<I, Row>>(),
         [](const Row& row, detail::ValueArena&) { return to_value(std::get<I>(row)); }),
     ...);
  }

  TableSpec spec_;
  std::vector<ValueDomain> domains_;  // one per column, as readers_
  std::vector<Reader> readers_;
  std::vector<std::size_t> variable_width_columns_;  // columns whose values' size is known only once read
  std::size_t fixed_width_bytes_ = 0;                // what the other columns count, together
};

}  // namespace bulkinsert
