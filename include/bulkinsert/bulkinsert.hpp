#pragma once

// The core of bulkinsert: no database driver is included here. Add <bulkinsert/sqlite.hpp> or
// <bulkinsert/postgres.hpp> for a backend.
#include "backend.hpp"
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
#include "table.hpp"
#include "value.hpp"
#include "version.hpp"
