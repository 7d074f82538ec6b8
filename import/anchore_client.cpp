#include "import/anchore_client.hpp"

#include <random>

#include "base/text.hpp"
#include "crypto/base64.hpp"
#include "import/anchore_error.hpp"

namespace airlock {

namespace {

constexpr std::size_t k_max_reply = 64 * 1024 * 1024;

std::string normalize_base(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.ends_with("/v2")) url += "/v2";
  return url;
}

// Retry-After in seconds (the HTTP-date form is rare from API servers and is
// treated as absent), capped so a hostile value cannot stall an import.
std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response) {
  const auto value = response.header("retry-after");
  if (!value || value->empty() || value->size() > 6) return std::nullopt;
  for (const char c : *value) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::chrono::milliseconds(std::min(std::stol(*value), 300L) * 1000);
}

}  // namespace

Result<nlohmann::json> HttpReply::json(std::string_view what) const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return Error(ErrorCode::invalid_input, std::string(what) + ": the server's answer is not JSON (a proxy's page?): " +
                                               anchore_error_message(body));
  }
  return parsed;
}

AnchoreClient::AnchoreClient(HttpClient& http, AnchoreConnection connection, RetryPolicy retry, Clock& clock)
    : m_http(http), m_connection(std::move(connection)), m_retry(retry), m_clock(clock),
      m_base(normalize_base(m_connection.url)) {
  if (!m_connection.bearer_token.empty()) {
    m_authorization = "Bearer " + m_connection.bearer_token;
  } else if (!m_connection.username.empty()) {
    m_authorization = "Basic " + to_base64(m_connection.username + ":" + m_connection.password);
  }
}

std::chrono::milliseconds AnchoreClient::backoff(int attempt) {
  // Exponential with jitter (half to all of the step), so many importers
  // retrying at once do not come back in step.
  thread_local std::minstd_rand jitter{std::random_device{}()};
  const auto step = std::min<std::int64_t>(m_retry.max_delay.count(),
                                           m_retry.initial_delay.count() << std::min(attempt, 20));
  std::uniform_int_distribution<std::int64_t> pick(step / 2, std::max<std::int64_t>(step / 2, step));
  return std::chrono::milliseconds(pick(jitter));
}

Result<HttpReply> AnchoreClient::send(HttpRequest request, std::string_view account, Idempotent idempotent,
                                      const StreamedBody* streamed) {
  if (!m_authorization.empty()) request.headers.emplace_back("Authorization", m_authorization);
  if (!account.empty()) request.headers.emplace_back("x-anchore-account", std::string(account));
  request.headers.emplace_back("Accept", "application/json");
  request.connect_timeout = m_connection.connect_timeout;
  request.idle_timeout = m_connection.idle_timeout;
  request.verify_tls = !m_connection.insecure;
  request.ca_file = m_connection.ca_file;
  request.follow_redirects = false;
  int errors_500 = 0;
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<ByteSource> body;
    auto answer = [&]() -> Result<std::pair<HttpReply, std::optional<std::chrono::milliseconds>>> {
      if (streamed != nullptr) {
        AIRLOCK_TRY_ASSIGN(body, streamed->open());
        request.body_source = body.get();
        request.body_size = streamed->size;
      }
      AIRLOCK_TRY_ASSIGN(auto response, m_http.send(request));
      HttpReply reply;
      reply.status = response->status();
      const auto wait = retry_after(*response);
      AIRLOCK_TRY_ASSIGN(reply.body, response->read_body(k_max_reply));
      return std::make_pair(std::move(reply), wait);
    }();
    if (!answer) {
      // A local failure (an unreadable upload part) will not heal by retrying.
      if (answer.error().code() != ErrorCode::unavailable) return answer.error();
      if (idempotent == Idempotent::no || attempt >= m_retry.retries) return answer.error();
      m_clock.sleep_for(backoff(attempt));
      continue;
    }
    auto& [reply, wait] = *answer;
    const long s = reply.status;
    bool retry = s == 429 || s == 502 || s == 503 || (s == 504 && idempotent == Idempotent::yes);
    if (s == 500 && ++errors_500 <= m_retry.retries_on_500) retry = true;
    if (!retry || attempt >= m_retry.retries) return std::move(reply);
    m_clock.sleep_for(wait && (s == 429 || s == 503) ? *wait : backoff(attempt));
  }
}

Result<HttpReply> AnchoreClient::get(std::string_view path, std::string_view account) {
  HttpRequest request;
  request.method = "GET";
  request.url = url_for(path);
  return send(std::move(request), account, Idempotent::yes, nullptr);
}

Result<HttpReply> AnchoreClient::post_empty(std::string_view path, std::string_view account) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_for(path);
  // What it creates (an import operation) is harmless twice: an unused one expires.
  return send(std::move(request), account, Idempotent::yes, nullptr);
}

Result<HttpReply> AnchoreClient::post_json(std::string_view path, std::string_view account, const nlohmann::json& body,
                                           Idempotent idempotent) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_for(path);
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = body.dump();
  // By default for creating an app or a version: twice answers 409, which
  // callers resolve by reading it back, so it is safe to retry.
  return send(std::move(request), account, idempotent, nullptr);
}

Result<HttpReply> AnchoreClient::post_multipart(std::string_view path, std::string_view account,
                                                const MultipartBody& body) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_for(path);
  request.headers.emplace_back("Content-Type", body.content_type());
  const StreamedBody streamed{[&body]() -> Result<std::unique_ptr<ByteSource>> { return body.open(); }, body.size()};
  return send(std::move(request), account, Idempotent::no, &streamed);
}

Result<HttpReply> AnchoreClient::post_stream(std::string_view path, std::string_view account,
                                             std::string_view content_type, std::uint64_t size,
                                             const MultipartBody::Opener& open, Idempotent idempotent) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_for(path);
  request.headers.emplace_back("Content-Type", std::string(content_type));
  const StreamedBody streamed{open, size};
  return send(std::move(request), account, idempotent, &streamed);
}

Result<std::vector<nlohmann::json>> AnchoreClient::list_all(std::string_view path, std::string_view account) {
  std::vector<nlohmann::json> items;
  std::string cursor;
  const char joiner = path.find('?') == std::string_view::npos ? '?' : '&';
  for (int page = 0; page < 100000; ++page) {
    std::string url = std::string(path) + joiner + "limit=1000";
    if (!cursor.empty()) url += "&cursor=" + percent_encode(cursor, "-._~");
    AIRLOCK_TRY_ASSIGN(const HttpReply reply, get(url, account));
    if (!reply.ok()) return anchore_http_error(reply.status, reply.body, "GET " + std::string(path));
    AIRLOCK_TRY_ASSIGN(const nlohmann::json json, reply.json("GET " + std::string(path)));
    if (!json.is_object() || !json.contains("items") || !json["items"].is_array()) {
      return Error(ErrorCode::invalid_input, "GET " + std::string(path) + ": the answer has no \"items\" list");
    }
    for (const auto& item : json["items"]) items.push_back(item);
    std::string next;
    if (json.contains("pagination") && json["pagination"].is_object()) {
      const auto& p = json["pagination"];
      if (p.contains("next_cursor") && p["next_cursor"].is_string()) next = p["next_cursor"].get<std::string>();
    }
    if (next.empty()) return items;
    if (next == cursor) return Error(ErrorCode::invalid_input, "GET " + std::string(path) + ": the server repeats a page cursor");
    cursor = next;
  }
  return Error(ErrorCode::invalid_input, "GET " + std::string(path) + ": too many pages");
}

}  // namespace airlock
