#pragma once

// The core of bulkinsert: no database driver is included here. Add <bulkinsert/sqlite.hpp> or
// <bulkinsert/postgres.hpp> for a backend.
//
// parallel.hpp (ParallelInserter) stays in: it brings <thread> and <condition_variable>, whose cost is
// compile time only (nothing runs or links unless a ParallelInserter is made: GCC 12 and glibc 2.34+
// need no -pthread for that), and one include should give every way into the load engine.
#include "appender.hpp"
#include "backend.hpp"
#include "catalog.hpp"
#include "chunk.hpp"
#include "defaults.hpp"
#include "dialect.hpp"
#include "error.hpp"
#include "inserter.hpp"
#include "options.hpp"
#include "parallel.hpp"
#include "planner.hpp"
#include "report.hpp"
#include "strategy.hpp"
#include "strategy_registry.hpp"
#include "table.hpp"
#include "value.hpp"
#include "version.hpp"
