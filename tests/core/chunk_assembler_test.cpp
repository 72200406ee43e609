// detail::ChunkAssembler: where chunks end (rows, bytes, rows committed by an earlier run).

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include <bulkinsert/detail/chunk_assembler.hpp>
#include <bulkinsert/table.hpp>

namespace {

struct Event {
  std::string body;
  long id = 0;
};

const auto events = bulkinsert::Table<Event>{"events"}.column("body", &Event::body).column("id", &Event::id);

/// The input rows of every chunk the rows make, as [first, first + size).
std::vector<bulkinsert::RowRange> chunks_of(const std::vector<Event>& rows, bulkinsert::detail::ChunkBounds bounds,
                                            bulkinsert::detail::CommittedRows* done = nullptr) {
  std::vector<bulkinsert::RowRange> out;
  bulkinsert::detail::for_each_chunk(events, rows, bounds, done, [&](bulkinsert::detail::ChunkRows<Event>& c) {
    out.push_back({c.first, c.first + c.size()});
  });
  return out;
}

}  // namespace

TEST_CASE("chunks end at their row count", "[core][chunk]") {
  const std::vector<Event> rows(10, Event{"x", 1});
  CHECK(chunks_of(rows, {4, 0}) == std::vector<bulkinsert::RowRange>{{0, 4}, {4, 8}, {8, 10}});
}

TEST_CASE("chunks end where their rows reach the byte budget, whatever the row count", "[core][chunk]") {
  // A row is its text's length plus 8 for the integer: 1,000 + 8 bytes.
  const std::vector<Event> wide(10, Event{std::string(1000, 'w'), 1});
  bulkinsert::detail::ValueArena scratch;
  CHECK(events.payload_bytes(wide[0], scratch) == 1008);
  CHECK(chunks_of(wide, {1000, 3000}) == std::vector<bulkinsert::RowRange>{{0, 3}, {3, 6}, {6, 9}, {9, 10}});
  // A row wider than the budget goes alone, never split or refused.
  const std::vector<Event> huge(2, Event{std::string(10000, 'h'), 1});
  CHECK(chunks_of(huge, {1000, 3000}) == std::vector<bulkinsert::RowRange>{{0, 1}, {1, 2}});
  // 0: rows alone decide.
  CHECK(chunks_of(wide, {5, 0}) == std::vector<bulkinsert::RowRange>{{0, 5}, {5, 10}});
}

TEST_CASE("rows an earlier run committed are skipped and end the chunk before them", "[core][chunk]") {
  const std::vector<Event> rows(10, Event{"x", 1});
  bulkinsert::detail::CommittedRows done;
  done.add({3, 5});
  done.add({9, 10});
  CHECK(chunks_of(rows, {100, 0}, &done) == std::vector<bulkinsert::RowRange>{{0, 3}, {5, 9}});
}

TEST_CASE("rows moved in from a single-pass source are held by the chunk", "[core][chunk]") {
  bulkinsert::detail::ChunkAssembler<Event, false> assembler{events, {2, 0}, nullptr};
  std::vector<std::string> seen;
  auto take = [&](bulkinsert::detail::ChunkRows<Event>& c) {
    for (const void* p : c.pointers) seen.push_back(static_cast<const Event*>(p)->body);
  };
  for (const char* body : {"a", "b", "c"}) assembler.add(Event{body, 1}, take);
  CHECK(assembler.pending() == 1);
  assembler.flush(take);
  CHECK(seen == std::vector<std::string>{"a", "b", "c"});
  CHECK(assembler.rows_given() == 3);
}
