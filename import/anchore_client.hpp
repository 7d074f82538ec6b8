#pragma once
// AnchoreClient: requests to an Anchore Enterprise API (anchore-api.md §3–§4)
// with its authentication, the x-anchore-account header, TLS settings and the
// retry policy of DESIGN §6.1 in one place. Non-2xx answers are returned for
// the caller to judge; an error means no answer arrived.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "import/multipart_body.hpp"
#include "net/http_client.hpp"

namespace airlock {

struct AnchoreConnection {
  std::string url;  // with or without the trailing /v2
  std::string username, password;  // Basic; an API key is username "_api_key"
  std::string bearer_token;        // instead of Basic when set
  std::string ca_file;
  bool insecure = false;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds idle_timeout{120};
};

struct RetryPolicy {
  int retries = 8;         // connection errors, timeouts, 429, 502/503/504
  int retries_on_500 = 3;  // a 500 may be a bug that will not go away
  std::chrono::milliseconds initial_delay{1000};
  std::chrono::milliseconds max_delay{30000};
};

struct HttpReply {
  long status = 0;
  std::string body;
  bool ok() const { return status >= 200 && status < 300; }
  // The body as JSON; an error naming WHAT when it is not (e.g. a proxy's HTML page).
  Result<nlohmann::json> json(std::string_view what) const;
};

class AnchoreClient {
 public:
  AnchoreClient(HttpClient& http, AnchoreConnection connection, RetryPolicy retry, Clock& clock);

  // "https://host:8228/v2" + PATH (PATH starts with '/').
  std::string url_for(std::string_view path) const { return m_base + std::string(path); }
  const std::string& base_url() const { return m_base; }

  // Whether a request may be sent again after it failed without an answer
  // (it may have been processed). `no`: the caller reconciles before sending
  // it again. Answers that say "not processed" (429, 502, 503) are retried either way.
  enum class Idempotent { yes, no };

  Result<HttpReply> get(std::string_view path, std::string_view account);
  // A POST without a body (Content-Length: 0).
  Result<HttpReply> post_empty(std::string_view path, std::string_view account);
  Result<HttpReply> post_json(std::string_view path, std::string_view account, const nlohmann::json& body,
                              Idempotent idempotent = Idempotent::yes);
  // Not retried after an ambiguous failure (the request may have been
  // processed): the caller reconciles before sending it again.
  Result<HttpReply> post_multipart(std::string_view path, std::string_view account, const MultipartBody& body);
  // A raw body of SIZE bytes streamed from a fresh OPEN() on each attempt,
  // with Content-Length (content uploads; never held in memory).
  Result<HttpReply> post_stream(std::string_view path, std::string_view account, std::string_view content_type,
                                std::uint64_t size, const MultipartBody::Opener& open, Idempotent idempotent);
  // Every item of a paginated list ({"items": […], "pagination": {"next_cursor"}}),
  // PATH carrying its query (without cursor).
  Result<std::vector<nlohmann::json>> list_all(std::string_view path, std::string_view account);

 private:
  // A streamed request body, opened again for each attempt.
  struct StreamedBody {
    MultipartBody::Opener open;
    std::uint64_t size = 0;
  };
  Result<HttpReply> send(HttpRequest request, std::string_view account, Idempotent idempotent,
                         const StreamedBody* streamed);
  std::chrono::milliseconds backoff(int attempt);

  HttpClient& m_http;
  AnchoreConnection m_connection;
  RetryPolicy m_retry;
  Clock& m_clock;
  std::string m_base;
  std::string m_authorization;
};

}  // namespace airlock
