#include "storage/request_log_repository.h"

#include <gtest/gtest.h>

#include "storage/test_database.h"

namespace poise::storage {
namespace {

using namespace std::chrono_literals;

class RequestLogRepositoryTest : public ::testing::Test {
 protected:
  RequestLogRow make(std::string request_id, int status = 200) {
    RequestLogRow r;
    r.created_at = clock_.now();
    r.request_id = std::move(request_id);
    r.protocol = "gemini";
    r.route = "/v1beta/models/{model}:generateContent";
    r.method = "POST";
    r.path = "/v1beta/models/gemini-2.5-flash:generateContent";
    r.model = "gemini-2.5-flash";
    r.status = status;
    r.latency_ms = 120;
    r.client_ip = "10.0.0.1";
    r.user_agent = "sdk/1.0";
    return r;
  }
  std::vector<std::int64_t> ids(const RequestLogSlice& s) {
    std::vector<std::int64_t> out;
    for (const auto& r : s.items) out.push_back(r.id);
    return out;
  }
  std::vector<std::string> requestIds(const RequestLogSlice& s) {
    std::vector<std::string> out;
    for (const auto& r : s.items) out.push_back(r.request_id);
    return out;
  }
  RequestLogSlice all(const RequestLogFilter& f) {
    auto s = logs_.query(f, std::nullopt, kMaxPageSize);
    EXPECT_TRUE(s) << s.error().message;
    return s ? *s : RequestLogSlice{};
  }

  TestDatabase t_;
  ManualClock clock_;
  RequestLogRepository logs_{t_.db()};
};

TEST_F(RequestLogRepositoryTest, AppendReadsBackEveryField) {
  RequestLogRow r = make("req-1", 502);
  r.token_id = 7;
  r.token_name = "app — ünïcode";
  r.protocol = "openai";
  r.stream = true;
  r.attempts = 2;
  r.keys_tried = "12:cooldown,15:success";
  r.key_ids = {12, 15};
  r.ttfb_ms = 40;
  r.prompt_tokens = 10;
  r.completion_tokens = 20;
  r.thought_tokens = 5;
  r.cached_tokens = 3;
  r.error_class = "upstream_error";
  r.error_message = "Upstream said 50% _failed_";
  r.request_body = "{\"contents\":[]}";
  ASSERT_TRUE(logs_.appendBatch(std::span(&r, 1)));

  auto page = logs_.query({}, std::nullopt, 10);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_FALSE(page->next_cursor);
  const RequestLogRow& got = page->items[0];
  EXPECT_GT(got.id, 0);
  EXPECT_EQ(got.created_at, clock_.now());
  EXPECT_EQ(got.request_id, "req-1");
  EXPECT_EQ(got.token_id, 7);
  EXPECT_EQ(got.token_name, "app — ünïcode");
  EXPECT_EQ(got.protocol, "openai");
  EXPECT_EQ(got.route, r.route);
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, r.path);
  EXPECT_EQ(got.model, "gemini-2.5-flash");
  EXPECT_TRUE(got.stream);
  EXPECT_EQ(got.status, 502);
  EXPECT_EQ(got.attempts, 2);
  EXPECT_EQ(got.keys_tried, "12:cooldown,15:success");
  EXPECT_EQ(got.key_ids, (std::vector<std::int64_t>{12, 15}));
  EXPECT_EQ(got.latency_ms, 120);
  EXPECT_EQ(got.ttfb_ms, 40);
  EXPECT_EQ(got.prompt_tokens, 10);
  EXPECT_EQ(got.completion_tokens, 20);
  EXPECT_EQ(got.thought_tokens, 5);
  EXPECT_EQ(got.cached_tokens, 3);
  EXPECT_EQ(got.error_class, "upstream_error");
  EXPECT_EQ(got.error_message, "Upstream said 50% _failed_");
  EXPECT_EQ(got.client_ip, "10.0.0.1");
  EXPECT_EQ(got.user_agent, "sdk/1.0");
  // A listing never reads the captured bodies; the one-row read does.
  EXPECT_FALSE(got.request_body);
  EXPECT_FALSE(got.response_body);

  auto one = logs_.get(got.id);
  ASSERT_TRUE(one && one->has_value());
  EXPECT_EQ((*one)->request_body, "{\"contents\":[]}");
  EXPECT_FALSE((*one)->response_body);
  EXPECT_EQ((*one)->key_ids, (std::vector<std::int64_t>{12, 15}));
  EXPECT_EQ((*one)->error_message, got.error_message);
  auto none = logs_.get(got.id + 100);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(RequestLogRepositoryTest, BatchLargerThanOneInsertKeepsKeysOnTheirRows) {
  std::vector<RequestLogRow> rows;
  const int n = static_cast<int>(RequestLogRepository::kRowsPerInsert) * 2 + 17;
  for (int i = 0; i < n; ++i) {
    // Repeated request ids (a client may send its own) must still get their own keys.
    RequestLogRow r = make("req-" + std::to_string(i % 50));
    r.token_id = i;
    r.key_ids = {i, i + 100000};
    rows.push_back(std::move(r));
  }
  ASSERT_TRUE(logs_.appendBatch(rows));
  auto s = all({});
  ASSERT_EQ(s.items.size(), static_cast<std::size_t>(n));
  for (const auto& r : s.items) {
    EXPECT_EQ(r.key_ids, (std::vector<std::int64_t>{r.token_id, r.token_id + 100000}));
  }
  auto by_key = all({.key_id = 100003});
  ASSERT_EQ(by_key.items.size(), 1u);
  EXPECT_EQ(by_key.items[0].token_id, 3);
}

TEST_F(RequestLogRepositoryTest, TextWithQuotesBracesAndBackslashesIsKeptExactly) {
  // PostgreSQL writes a batch as array literals: every character those quote must come back.
  std::vector<RequestLogRow> rows;
  const std::vector<std::string> texts = {
      "say \"hi\", {then} \\ leave", "NULL", "", " spaced ", "{}", "a,b", "\\\"", "ünï — 😀"};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    RequestLogRow r = make(texts[i].empty() ? "empty" : texts[i]);
    r.error_message = texts[i];
    r.user_agent = texts[i];
    r.request_body = texts[i];
    r.key_ids = {static_cast<std::int64_t>(i) + 1};
    rows.push_back(std::move(r));
  }
  ASSERT_TRUE(logs_.appendBatch(rows));
  auto s = all({});
  ASSERT_EQ(s.items.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const RequestLogRow& got = s.items[texts.size() - 1 - i];  // newest first
    EXPECT_EQ(got.error_message, texts[i]);
    EXPECT_EQ(got.user_agent, texts[i]);
    EXPECT_EQ(got.key_ids, (std::vector<std::int64_t>{static_cast<std::int64_t>(i) + 1}));
    auto one = logs_.get(got.id);
    ASSERT_TRUE(one && one->has_value());
    EXPECT_EQ((*one)->request_body, texts[i]);
    EXPECT_FALSE((*one)->response_body);  // null stays null
  }
}

TEST_F(RequestLogRepositoryTest, PagesNewestFirstWithACursor) {
  std::vector<RequestLogRow> rows;
  rows.reserve(7);
  for (int i = 0; i < 7; ++i) rows.push_back(make("r" + std::to_string(i)));
  ASSERT_TRUE(logs_.appendBatch(rows));
  auto first = logs_.query({}, std::nullopt, 3);
  ASSERT_TRUE(first);
  EXPECT_EQ(requestIds(*first), (std::vector<std::string>{"r6", "r5", "r4"}));
  ASSERT_TRUE(first->next_cursor);
  auto second = logs_.query({}, first->next_cursor, 3);
  ASSERT_TRUE(second);
  EXPECT_EQ(requestIds(*second), (std::vector<std::string>{"r3", "r2", "r1"}));
  auto third = logs_.query({}, second->next_cursor, 3);
  ASSERT_TRUE(third);
  EXPECT_EQ(requestIds(*third), std::vector<std::string>{"r0"});
  EXPECT_FALSE(third->next_cursor);
  EXPECT_FALSE(logs_.query({}, std::nullopt, 0));
  EXPECT_FALSE(logs_.query({}, std::nullopt, kMaxPageSize + 1));
}

TEST_F(RequestLogRepositoryTest, EveryFilter) {
  std::vector<RequestLogRow> rows;
  RequestLogRow a = make("a", 200);
  a.token_id = 1;
  a.key_ids = {5};
  a.latency_ms = 50;
  RequestLogRow b = make("b", 429);
  b.created_at = clock_.now() + 1h;
  b.token_id = 2;
  b.model = "gemini-2.5-pro";
  b.protocol = "openai";
  b.key_ids = {5, 6};
  b.error_message = "Quota 100%_used";
  b.latency_ms = 900;
  RequestLogRow c = make("c", 503);
  c.created_at = clock_.now() + 2h;
  c.stream = true;
  c.error_message = "quota 100 percent used";
  c.latency_ms = 2000;
  rows = {a, b, c};
  ASSERT_TRUE(logs_.appendBatch(rows));

  using V = std::vector<std::string>;
  EXPECT_EQ(requestIds(all({})), (V{"c", "b", "a"}));
  EXPECT_EQ(requestIds(all({.since = clock_.now() + 1h})), (V{"c", "b"}));
  EXPECT_EQ(requestIds(all({.until = clock_.now() + 1h})), V{"a"});
  EXPECT_EQ(requestIds(all({.token_id = 2})), V{"b"});
  EXPECT_EQ(requestIds(all({.token_id = 0})), V{"c"});
  EXPECT_EQ(requestIds(all({.key_id = 5})), (V{"b", "a"}));
  EXPECT_EQ(requestIds(all({.key_id = 6})), V{"b"});
  EXPECT_EQ(requestIds(all({.key_id = 7})), V{});
  EXPECT_EQ(requestIds(all({.model = "gemini-2.5-pro"})), V{"b"});
  EXPECT_EQ(requestIds(all({.protocol = "gemini"})), (V{"c", "a"}));
  EXPECT_EQ(requestIds(all({.status_class = 2})), V{"a"});
  EXPECT_EQ(requestIds(all({.status_class = 4})), V{"b"});
  EXPECT_EQ(requestIds(all({.status_class = 5})), V{"c"});
  EXPECT_EQ(requestIds(all({.stream = true})), V{"c"});
  EXPECT_EQ(requestIds(all({.stream = false})), (V{"b", "a"}));
  EXPECT_EQ(requestIds(all({.min_latency_ms = 900})), (V{"c", "b"}));
  // Case-insensitive, and % and _ match themselves.
  EXPECT_EQ(requestIds(all({.error_text = "QUOTA"})), (V{"c", "b"}));
  EXPECT_EQ(requestIds(all({.error_text = "100%_"})), V{"b"});
  EXPECT_EQ(requestIds(all({.request_id = "a"})), V{"a"});
  EXPECT_EQ(requestIds(all({.key_id = 5, .status_class = 4})), V{"b"});
  EXPECT_FALSE(logs_.query({.status_class = 9}, std::nullopt, 10));
}

TEST_F(RequestLogRepositoryTest, TimeRangesFarFromTheNewestRowsAndNear) {
  std::vector<RequestLogRow> rows;
  for (int i = 0; i < 10; ++i) {
    RequestLogRow r = make("t" + std::to_string(i), i == 1 ? 500 : 200);
    r.created_at = clock_.now() + std::chrono::hours(i);
    rows.push_back(r);
  }
  ASSERT_TRUE(logs_.appendBatch(rows));
  using V = std::vector<std::string>;
  const auto at = [&](int h) { return clock_.now() + std::chrono::hours(h); };
  // Far below the newest rows (the servers read such a range from the created_at index first).
  EXPECT_EQ(requestIds(all({.since = at(1), .until = at(3)})), (V{"t2", "t1"}));
  EXPECT_EQ(requestIds(all({.since = at(0), .until = at(2), .status_class = 5})), V{"t1"});
  auto first = logs_.query({.since = at(0), .until = at(3)}, std::nullopt, 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(requestIds(*first), (V{"t2", "t1"}));
  ASSERT_TRUE(first->next_cursor);
  auto second = logs_.query({.since = at(0), .until = at(3)}, first->next_cursor, 2);
  ASSERT_TRUE(second);
  EXPECT_EQ(requestIds(*second), V{"t0"});
  // Near them, and ranges with nothing newer or nothing inside.
  EXPECT_EQ(requestIds(all({.since = at(8), .until = at(9)})), V{"t8"});
  EXPECT_EQ(requestIds(all({.since = at(9), .until = at(12)})), V{"t9"});
  EXPECT_EQ(requestIds(all({.since = at(10), .until = at(11)})), V{});
  EXPECT_EQ(requestIds(all({.since = at(-5), .until = at(-4)})), V{});
}

// Indexed filters together (on MySQL one index drives and the others are looked up by id, with
// the time range read first when it lies far below the newest rows): every combination, paged,
// returns exactly the rows a plain check of each row keeps, newest first.
TEST_F(RequestLogRepositoryTest, CombinedIndexedFiltersReturnExactlyTheMatches) {
  const char* const models[] = {"gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash"};
  const int statuses[] = {200, 200, 429, 503, 200, 400, 200};
  std::vector<RequestLogRow> rows;
  for (int i = 0; i < 240; ++i) {
    RequestLogRow r = make("m" + std::to_string(i), statuses[i % 7]);
    r.created_at = clock_.now() + std::chrono::minutes(i);
    r.token_id = i % 5;
    r.model = models[i % 3];
    r.protocol = i % 4 == 0 ? "openai" : "gemini";
    r.latency_ms = 100 + (i * 37) % 900;
    rows.push_back(r);
  }
  ASSERT_TRUE(logs_.appendBatch(rows));
  const auto at = [&](int minutes) { return clock_.now() + std::chrono::minutes(minutes); };
  std::vector<RequestLogFilter> filters;
  for (int token : {-1, 3})
    for (int model : {-1, 1, 2})
      for (int protocol : {-1, 0})
        for (int klass : {-1, 2, 4, 5, 3})
          for (int range : {0, 1, 2}) {
            RequestLogFilter f;
            if (token >= 0) f.token_id = token;
            if (model >= 0) f.model = models[model];
            if (protocol >= 0) f.protocol = "openai";
            if (klass >= 0) f.status_class = klass;
            if (range == 1) {  // closed, far below the newest rows
              f.since = at(20);
              f.until = at(90);
            } else if (range == 2) {  // open, with a filter checked row by row
              f.since = at(100);
              f.min_latency_ms = 500;
            }
            filters.push_back(f);
          }
  for (const RequestLogFilter& f : filters) {
    std::vector<std::string> want;
    for (std::size_t k = rows.size(); k-- > 0;) {  // newest first
      const RequestLogRow& r = rows[k];
      if ((f.token_id && r.token_id != *f.token_id) || (f.model && r.model != *f.model) ||
          (f.protocol && r.protocol != *f.protocol) ||
          (f.status_class && r.status / 100 != *f.status_class) ||
          (f.since && r.created_at < *f.since) || (f.until && r.created_at >= *f.until) ||
          (f.min_latency_ms && r.latency_ms < *f.min_latency_ms)) {
        continue;
      }
      want.push_back(r.request_id);
    }
    // With the default window, and with one of 16 ids (short pages that go on).
    for (std::int64_t window : {RequestLogRepository::kDefaultScanWindow, std::int64_t{16}}) {
      RequestLogRepository repo(t_.db(), window);
      std::vector<std::string> got;
      std::optional<std::int64_t> cursor;
      int pages = 0;
      do {
        auto page = repo.query(f, cursor, 7);
        ASSERT_TRUE(page) << page.error().message;
        for (const auto& r : page->items) got.push_back(r.request_id);
        cursor = page->next_cursor;
      } while (cursor && ++pages < 200);
      EXPECT_EQ(got, want) << "window " << window << " token " << f.token_id.value_or(-1)
                           << " model " << f.model.value_or("-") << " protocol "
                           << f.protocol.value_or("-") << " class " << f.status_class.value_or(-1)
                           << " since " << (f.since ? formatIso8601(*f.since) : "-");
    }
  }
}

TEST_F(RequestLogRepositoryTest, RowByRowFiltersLookThroughOneWindowPerPage) {
  RequestLogRepository windowed(t_.db(), 4);
  std::vector<RequestLogRow> rows;
  for (int i = 0; i < 10; ++i) {
    RequestLogRow r = make("r" + std::to_string(i));
    if (i == 1 || i == 2 || i == 8) r.error_message = "upstream quota";
    rows.push_back(r);
  }
  ASSERT_TRUE(windowed.appendBatch(rows));
  // Windows of 4 ids from the newest: r9..r6 holds r8 only, so the page is short but goes on.
  std::vector<std::string> seen;
  std::optional<std::int64_t> cursor;
  int pages = 0;
  do {
    auto page = windowed.query({.error_text = "quota"}, cursor, 2);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& r : page->items) seen.push_back(r.request_id);
    if (pages == 0) {
      EXPECT_EQ(requestIds(*page), std::vector<std::string>{"r8"});
      EXPECT_TRUE(page->next_cursor.has_value());
    }
    cursor = page->next_cursor;
    ++pages;
  } while (cursor && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"r8", "r2", "r1"}));
  EXPECT_FALSE(cursor.has_value());  // the last window reached the oldest row
  // One indexed filter is not windowed: one page has every match.
  auto model = windowed.query({.model = "gemini-2.5-flash"}, std::nullopt, kMaxPageSize);
  ASSERT_TRUE(model);
  EXPECT_EQ(model->items.size(), 10U);
  EXPECT_FALSE(model->next_cursor);
  // Two are (an absent pair would read every row of one index): r9..r6, then on below.
  auto pair =
      windowed.query({.token_id = 0, .model = "gemini-2.5-flash"}, std::nullopt, kMaxPageSize);
  ASSERT_TRUE(pair);
  EXPECT_EQ(requestIds(*pair), (std::vector<std::string>{"r9", "r8", "r7", "r6"}));
  EXPECT_TRUE(pair->next_cursor.has_value());
}

TEST_F(RequestLogRepositoryTest, PrunesByAgeAndByCountInBatches) {
  std::vector<RequestLogRow> rows;
  rows.reserve(25);
  for (int i = 0; i < 25; ++i) {
    RequestLogRow r = make("r" + std::to_string(i));
    r.created_at = clock_.now() + std::chrono::minutes(i);
    r.key_ids = {i};
    rows.push_back(std::move(r));
  }
  ASSERT_TRUE(logs_.appendBatch(rows));

  auto by_age = logs_.prune({.older_than = clock_.now() + 10min, .batch = 3});
  ASSERT_TRUE(by_age) << by_age.error().message;
  EXPECT_EQ(*by_age, 10);
  auto left = all({});
  ASSERT_EQ(left.items.size(), 15u);
  EXPECT_EQ(left.items.back().request_id, "r10");

  auto by_count = logs_.prune({.max_rows = 4, .batch = 4});
  ASSERT_TRUE(by_count);
  EXPECT_EQ(*by_count, 11);
  left = all({});
  std::vector<std::string> want{"r24", "r23", "r22", "r21"};
  EXPECT_EQ(requestIds(left), want);

  auto nothing = logs_.prune({.older_than = clock_.now(), .max_rows = 10});
  ASSERT_TRUE(nothing);
  EXPECT_EQ(*nothing, 0);
  // The pruned rows' keys went with them.
  auto keys = t_.db().query("SELECT COUNT(*) FROM request_log_keys");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->front().int64(0), 4);
  EXPECT_EQ(*logs_.prune({.max_rows = 0}), 4);
  EXPECT_TRUE(all({}).items.empty());
  EXPECT_FALSE(logs_.prune({.batch = 0}));
}

TEST_F(RequestLogRepositoryTest, LongTextIsCutToTheColumns) {
  RequestLogRow r = make(std::string(100, 'i'));
  r.user_agent = std::string(600, 'u');
  r.error_message = std::string(3000, 'e');
  r.path = "/" + std::string(3000, 'p');
  ASSERT_TRUE(logs_.appendBatch(std::span(&r, 1)));
  auto s = all({});
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_EQ(s.items[0].request_id.size(), kMaxLogRequestIdBytes);
  EXPECT_EQ(s.items[0].user_agent.size(), kMaxLogUserAgentBytes);
  EXPECT_EQ(s.items[0].error_message.size(), kMaxLogErrorMessageBytes);
  EXPECT_EQ(s.items[0].path.size(), kMaxLogPathBytes);
}

}  // namespace
}  // namespace poise::storage
