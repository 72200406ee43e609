#pragma once

/// bulkinsert's version, as major * 10000 + minor * 100 + patch.
#define BULKINSERT_VERSION 100
#define BULKINSERT_VERSION_MAJOR 0
#define BULKINSERT_VERSION_MINOR 1
#define BULKINSERT_VERSION_PATCH 0
