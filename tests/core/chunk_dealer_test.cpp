// detail::ChunkDealer: the bounded hand-over between ParallelInserter's reader and its workers.
// Catch2's assertions are not thread-safe: the threads record, the test's own thread checks.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <bulkinsert/detail/chunk_dealer.hpp>

using bulkinsert::detail::ChunkDealer;

TEST_CASE("a dealer hands every chunk to exactly one worker, and the reader stays within its window", "[core][dealer]") {
  constexpr std::size_t chunks = 200;
  constexpr std::size_t window = 8;
  ChunkDealer<std::string> dealer{2, window};
  std::atomic<std::size_t> dealt{0};
  std::jthread reader{[&] {
    for (std::size_t i = 0; i < chunks && dealer.deal(i, std::to_string(i)); ++i) ++dealt;
    dealer.close();
  }};

  // Chunk 0 is taken and not yet sent: the reader may deal chunks 1 to window - 1, never chunk `window`,
  // however long it is given.
  const auto first = dealer.take();
  REQUIRE(first);
  CHECK(first->first == 0);
  CHECK(first->second == "0");
  std::vector<std::size_t> held;
  while (held.size() + 1 < window) {
    const auto job = dealer.take();
    REQUIRE(job);
    held.push_back(job->first);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds{50});
  CHECK(dealt.load() <= window);

  std::vector<int> seen(chunks, 0);
  seen[first->first] += 1;
  for (const std::size_t i : held) seen[i] += 1;
  dealer.sent(first->first);
  for (const std::size_t i : held) dealer.sent(i);
  std::vector<std::jthread> workers;
  std::vector<std::vector<std::size_t>> taken(2);
  std::vector<std::size_t> mismatched(2, 0);
  for (std::size_t w = 0; w < 2; ++w)
    workers.emplace_back([&, w] {
      while (auto job = dealer.take()) {
        if (job->second != std::to_string(job->first)) ++mismatched[w];
        taken[w].push_back(job->first);
        dealer.sent(job->first);
      }
    });
  workers.clear();  // joins: take() returns nothing once the reader has closed and the queue is empty
  reader.join();
  CHECK(dealt.load() == chunks);
  CHECK(mismatched == std::vector<std::size_t>(2, 0));
  for (const auto& t : taken)
    for (const std::size_t i : t) seen[i] += 1;
  CHECK(seen == std::vector<int>(chunks, 1));
  CHECK_FALSE(dealer.failure());
}

TEST_CASE("a dealer's first failure stops the reader and every worker", "[core][dealer]") {
  ChunkDealer<int> dealer{1, 4};
  REQUIRE(dealer.deal(0, 0));
  dealer.fail(std::make_exception_ptr(std::runtime_error("worker 1 failed")));
  dealer.fail(std::make_exception_ptr(std::runtime_error("worker 2 failed")));
  CHECK_FALSE(dealer.deal(1, 1));  // the queue is full, but a failure ends the wait
  CHECK_FALSE(dealer.take());      // what was queued is not handed out
  try {
    std::rethrow_exception(dealer.failure());
  } catch (const std::runtime_error& e) {
    CHECK(std::string{e.what()} == "worker 1 failed");
  }
}
