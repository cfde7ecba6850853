#include "storage/usage_aggregate_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {

// Readable failures for span lists.
void PrintTo(const UsageSpan& s, std::ostream* os);
void PrintTo(const UsageSpan& s, std::ostream* os) {
  *os << "{" << s.granularity << ", " << s.from << ", " << s.to << "}";
}

namespace {
constexpr std::int64_t kM = 60;
constexpr std::int64_t kH = 3600;
constexpr std::int64_t kD = 86400;

using namespace std::chrono_literals;

constexpr std::int64_t kDay0 = 1'795'651'200;  // 2026-11-26T00:00:00Z

TimePoint at(std::int64_t unix_seconds) {
  return TimePoint{std::chrono::seconds(unix_seconds)};
}

UsageCounts counts(std::int64_t requests, std::int64_t latency_bucket = 3) {
  UsageCounts c;
  c.requests = requests;
  c.errors = requests / 2;
  c.errors_by_class[6] = requests / 2;
  c.attempts = requests + 1;
  c.failed_attempts = 1;
  c.prompt_tokens = 10 * requests;
  c.completion_tokens = 20 * requests;
  c.thought_tokens = 3 * requests;
  c.cached_tokens = requests;
  c.latency_ms_sum = 100 * requests;
  c.latency_buckets[static_cast<std::size_t>(latency_bucket)] = requests;
  c.latency_buckets[23] = 1;
  return c;
}

UsageCell cell(std::int64_t g, std::int64_t start, UsageDimension d, std::string v, UsageCounts c) {
  return UsageCell{
      .granularity = g, .bucket_start = start, .dimension = d, .value = std::move(v), .counts = c};
}

class UsageAggregateRepositoryTest : public ::testing::Test {
 protected:
  std::int64_t rowCount() {
    auto r = t_.db().query("SELECT COUNT(*) FROM usage_aggregates");
    EXPECT_TRUE(r);
    return r ? r->front().int64(0) : -1;
  }
  TestDatabase t_;
  UsageAggregateRepository repo_{t_.db()};
};

TEST_F(UsageAggregateRepositoryTest, AddSumsIntoExistingCellsAndReadsBackEveryColumn) {
  const std::vector<UsageCell> first = {
      cell(60, kDay0 + 600, UsageDimension::Key, "12", counts(4)),
      cell(60, kDay0 + 600, UsageDimension::Model, "gemini-2.5-flash", counts(2)),
  };
  ASSERT_TRUE(repo_.add(first));
  // A second process (or batch) adds to the same cell: the sums add, nothing is overwritten.
  UsageAggregateRepository other(t_.db());
  const std::vector<UsageCell> second = {
      cell(60, kDay0 + 600, UsageDimension::Key, "12", counts(3, 5))};
  ASSERT_TRUE(other.add(second));
  EXPECT_EQ(rowCount(), 2);

  auto s = repo_.series(UsageDimension::Key, "12", 60, kDay0, kDay0 + kH, 60);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->size(), 1u);
  UsageCounts want = counts(4);
  want.add(counts(3, 5));
  EXPECT_EQ((*s)[0].start, kDay0 + 600);
  EXPECT_EQ((*s)[0].counts, want);
  EXPECT_EQ((*s)[0].counts.latency_buckets[23], 2);
  EXPECT_EQ((*s)[0].counts.errors_by_class[6], 3);
}

TEST_F(UsageAggregateRepositoryTest, LargeBatchesSpanSeveralUpserts) {
  std::vector<UsageCell> cells;
  const int n = static_cast<int>(UsageAggregateRepository::kCellsPerUpsert) * 2 + 7;
  cells.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    cells.push_back(cell(60, kDay0 + kM * i, UsageDimension::All, "", counts(1)));
  }
  ASSERT_TRUE(repo_.add(cells));
  ASSERT_TRUE(repo_.add(cells));
  EXPECT_EQ(rowCount(), n);
  auto s = repo_.series(UsageDimension::All, "", 60, kDay0, kDay0 + kM * n, kM * n);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].counts.requests, 2 * n);
}

TEST_F(UsageAggregateRepositoryTest, SeriesGroupsCellsIntoStepsAlignedToFrom) {
  std::vector<UsageCell> cells;
  cells.reserve(12);
  for (int m = 0; m < 10; ++m) {
    cells.push_back(cell(60, kDay0 + kM * m, UsageDimension::Token, "7", counts(m + 1)));
  }
  cells.push_back(cell(60, kDay0, UsageDimension::Token, "8", counts(100)));  // another value
  cells.push_back(cell(kH, kDay0, UsageDimension::Token, "7", counts(100)));  // another width
  ASSERT_TRUE(repo_.add(cells));
  // 5-minute steps from 00:01: [1..5], [6..9] (minute 0 is before `from`).
  auto s = repo_.series(UsageDimension::Token, "7", 60, kDay0 + 60, kDay0 + 600, 300);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].start, kDay0 + 60);
  EXPECT_EQ((*s)[0].counts.requests, 2 + 3 + 4 + 5 + 6);
  EXPECT_EQ((*s)[1].start, kDay0 + 360);
  EXPECT_EQ((*s)[1].counts.requests, 7 + 8 + 9 + 10);
  EXPECT_FALSE(repo_.series(UsageDimension::Token, "7", 60, kDay0, kDay0 + 600, 90));
}

TEST_F(UsageAggregateRepositoryTest, TotalsSumSpansOfEachGranularityByValue) {
  std::vector<UsageCell> cells;
  cells.push_back(cell(60, kDay0 + 60, UsageDimension::Model, "a", counts(1)));
  cells.push_back(cell(60, kDay0 + 120, UsageDimension::Model, "a", counts(2)));
  cells.push_back(cell(60, kDay0 + 120, UsageDimension::Model, "b", counts(5)));
  cells.push_back(cell(kH, kDay0 + kH, UsageDimension::Model, "a", counts(10)));
  cells.push_back(cell(kH, kDay0 + kH, UsageDimension::Model, "c", counts(1)));
  cells.push_back(cell(kH, kDay0, UsageDimension::Model, "a", counts(1000)));     // not in spans
  cells.push_back(cell(60, kDay0 + 120, UsageDimension::Key, "a", counts(500)));  // other dim
  ASSERT_TRUE(repo_.add(cells));
  const std::vector<UsageSpan> spans = {{60, kDay0 + 60, kDay0 + kH},
                                        {kH, kDay0 + kH, kDay0 + 7200}};
  auto top = repo_.totals(UsageDimension::Model, spans, std::nullopt, 10);
  ASSERT_TRUE(top) << top.error().message;
  ASSERT_EQ(top->size(), 3u);
  EXPECT_EQ((*top)[0].value, "a");
  EXPECT_EQ((*top)[0].counts.requests, 13);
  EXPECT_EQ((*top)[0].counts.prompt_tokens, 130);
  EXPECT_EQ((*top)[0].counts.latency_buckets[23], 3);
  EXPECT_EQ((*top)[1].value, "b");
  EXPECT_EQ((*top)[2].value, "c");
  auto limited = repo_.totals(UsageDimension::Model, spans, std::nullopt, 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->size(), 1u);
  auto one = repo_.totals(UsageDimension::Model, spans, std::string("b"), 1);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].counts.requests, 5);
  auto none = repo_.totals(UsageDimension::Model, spans, std::string("zzz"), 1);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(UsageAggregateRepositoryTest, KeyMinutesByKeyThenMinuteAndCapped) {
  std::vector<UsageCell> cells;
  for (int m = 0; m < 3; ++m) {
    for (const char* k : {"9", "10"}) {
      cells.push_back(cell(60, kDay0 + kM * m, UsageDimension::Key, k, counts(1)));
    }
  }
  cells.push_back(cell(60, kDay0, UsageDimension::Key, "11", UsageCounts{}));  // no attempts
  ASSERT_TRUE(repo_.add(cells));
  auto all = repo_.keyMinutes(kDay0, kDay0 + 180, 100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), 6u);
  EXPECT_FALSE(all->complete_since);
  EXPECT_EQ(all->items[0].key_id, 9);
  EXPECT_EQ(all->items[0].minute, kDay0);
  EXPECT_EQ(all->items[0].attempts, 2);
  EXPECT_EQ(all->items[0].failed_attempts, 1);
  EXPECT_EQ(all->items[3].key_id, 10);
  // Three cells at most: the newest minute whole (2 cells), the next minute cut → left out.
  auto capped = repo_.keyMinutes(kDay0, kDay0 + 180, 3);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->items.size(), 2u);
  EXPECT_EQ(capped->complete_since, kDay0 + 120);
}

TEST_F(UsageAggregateRepositoryTest, PruneDeletesEachGranularityPastItsRetention) {
  const std::int64_t now = kDay0 + 800 * kD;
  std::vector<UsageCell> cells;
  for (int i = 0; i < 25; ++i) {
    // Minute cells 49 h old (gone) and 47 h old (kept).
    cells.push_back(
        cell(60, now - 49 * kH + kM * i, UsageDimension::Key, std::to_string(i % 3), counts(1)));
    cells.push_back(cell(60, now - 47 * kH + kM * i, UsageDimension::All, "", counts(1)));
  }
  cells.push_back(cell(kH, now - 91 * kD, UsageDimension::All, "", counts(1)));
  cells.push_back(cell(kH, now - 89 * kD, UsageDimension::All, "", counts(1)));
  cells.push_back(cell(kD, now - 731 * kD, UsageDimension::All, "", counts(1)));
  cells.push_back(cell(kD, now - 729 * kD, UsageDimension::All, "", counts(1)));
  ASSERT_TRUE(repo_.add(cells));
  auto n = repo_.prune(at(now), 4);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 27);
  EXPECT_EQ(rowCount(), 27);
  auto again = repo_.prune(at(now), 4);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
}

TEST(UsageCoverRange, UsesDaysHoursAndMinutes) {
  // 1 day 5 h 10 min, from 22:50 on day 1 to 04:00 on day 3.
  const auto spans = coverRange(at(kDay0 + kD + 22 * kH + 50 * kM), at(kDay0 + 3 * kD + 4 * kH),
                                at(kDay0 + 3 * kD + 5 * kH));
  EXPECT_EQ(spans, (std::vector<UsageSpan>{
                       {60, kDay0 + kD + 22 * kH + 50 * kM, kDay0 + kD + 23 * kH},
                       {kH, kDay0 + kD + 23 * kH, kDay0 + 2 * kD},
                       {kD, kDay0 + 2 * kD, kDay0 + 3 * kD},
                       {kH, kDay0 + 3 * kD, kDay0 + 3 * kD + 4 * kH},
                   }));
  // Inside one hour: minutes only, partial minutes widened.
  EXPECT_EQ(coverRange(at(kDay0 + 90), at(kDay0 + 150) + 500ms, at(kDay0 + 200)),
            (std::vector<UsageSpan>{{60, kDay0 + 60, kDay0 + 180}}));
  EXPECT_TRUE(coverRange(at(kDay0 + 60), at(kDay0 + 60), at(kDay0)).empty());
  // An edge older than 48 h is widened to its hour (the minutes are gone).
  const auto old = coverRange(at(kDay0 + 30 * kM), at(kDay0 + 7200), at(kDay0 + 50 * kH));
  EXPECT_EQ(old, (std::vector<UsageSpan>{{kH, kDay0, kDay0 + 7200}}));
}

}  // namespace
}  // namespace poise::storage
