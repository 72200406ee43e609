#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "value.hpp"

namespace bulkinsert {

/// One column of a table, as the database's own catalog describes it (a backend's describe()), with the
/// facts about its values that the database knows and bulkinsert checks before sending: the CSV loader
/// refuses a value the column would not store exactly, naming its line and column, instead of letting
/// the database refuse a whole chunk.
struct ColumnInfo {
  std::string name;
  std::string type;            ///< the declared type, as the database spells it ("character varying(100)", "TEXT")
  Kind kind = Kind::text;      ///< the value kind that holds this column's values exactly; text for types
                               ///< bulkinsert does not know (numeric, uuid, json), which the database parses itself
  bool not_null = false;       ///< NOT NULL
  bool has_default = false;    ///< a DEFAULT, identity or generated value the database fills in when the column is omitted
  std::uint32_t type_id = 0;   ///< the database's own type id, for its backend's encoders; 0 where there is none

  /// For integer columns: the values the column's type holds (a 16-bit smallint holds -32768..32767).
  std::int64_t integer_min = std::numeric_limits<std::int64_t>::min();
  std::int64_t integer_max = std::numeric_limits<std::int64_t>::max();
  /// For real columns: the largest finite magnitude the type holds (FLT_MAX for a 4-byte float, where a
  /// larger finite double would become infinity), and whether it stores NaN (SQLite turns NaN into NULL).
  double real_max = std::numeric_limits<double>::max();
  bool stores_nan = true;
};

}  // namespace bulkinsert
