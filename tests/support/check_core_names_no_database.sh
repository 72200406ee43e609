#!/usr/bin/env bash
# The core names no database (issue: one backend contract). Every header outside a backend's own
# files (sqlite.hpp and sqlite/, postgres.hpp and postgres/, and later backends' likewise; dialects/
# holds the syntax several backends' dialects share) is checked,
# with its comments removed, for what only a backend may know: an SQLSTATE or driver result code, a
# type OID, a driver call or type, and the dialect-specific SQL keywords. Prints each hit; fails on any.
set -euo pipefail
include=${1:?usage: check_core_names_no_database.sh INCLUDE_DIR}
cd "$include/bulkinsert"

backend_files='^(sqlite|postgres|mariadb|odbc)(\.hpp$|/)|^dialects/'
patterns=(
  '"[0-9][0-9A-Z]{4}"'                      # an SQLSTATE literal ("08007", "55P03")
  '\b(PQ[a-zA-Z]+|PG(conn|result)|sqlite3_[a-z0-9_]+|SQLITE_[A-Z_]+|mysql_[a-z_]+|SQL[A-Z][a-zA-Z]+\()'  # driver calls, types, codes
  '\b(pqxx|SQLite)::'                       # driver namespaces
  '\btype_id *(==|!=|<=?|>=?) *[0-9]'       # a type OID compared
  '\b(ON CONFLICT|excluded\.|ON DUPLICATE KEY|SAVEPOINT|IF NOT EXISTS|RETURNING|WITH NO DATA|TEMP(ORARY)? TABLE|COPY [A-Za-z"]|LOAD DATA)\b'
)

status=0
while IFS= read -r file; do
  [[ $file =~ $backend_files ]] && continue
  # Drop // comments (the core's documentation may name what a backend does) but keep string literals.
  code=$(sed -E 's#(^|[^:"])//.*$#\1#' "$file")
  for p in "${patterns[@]}"; do
    if hits=$(grep -nE -- "$p" <<<"$code"); then
      while IFS= read -r hit; do echo "$file:$hit"; done <<<"$hits"
      status=1
    fi
  done
done < <(find . -name '*.hpp' -printf '%P\n' | sort)

if [[ $status -eq 0 ]]; then echo "core headers name no database"; else echo "the lines above belong in a backend or its dialect" >&2; fi
exit $status
