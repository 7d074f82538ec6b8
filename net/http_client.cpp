#include "net/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <deque>

namespace airlock {

namespace {

constexpr std::size_t k_pause_above = 4 * 1024 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return std::string(s);
}

class CurlResponse final : public HttpResponse {
 public:
  CurlResponse() : m_easy(curl_easy_init()), m_multi(curl_multi_init()) {}
  ~CurlResponse() override {
    if (m_multi != nullptr && m_easy != nullptr) curl_multi_remove_handle(m_multi, m_easy);
    if (m_easy != nullptr) curl_easy_cleanup(m_easy);
    if (m_multi != nullptr) curl_multi_cleanup(m_multi);
    if (m_header_list != nullptr) curl_slist_free_all(m_header_list);
  }
  CurlResponse(const CurlResponse&) = delete;
  CurlResponse& operator=(const CurlResponse&) = delete;

  Status start(const HttpRequest& request) {
    if (m_easy == nullptr || m_multi == nullptr) return Error(ErrorCode::internal, "libcurl init failed");
    m_target = request.url;
    m_follow = request.follow_redirects;
    curl_easy_setopt(m_easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(m_easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "HEAD") curl_easy_setopt(m_easy, CURLOPT_NOBODY, 1L);
    if (request.body_source != nullptr) {
      m_body_source = request.body_source;
      curl_easy_setopt(m_easy, CURLOPT_POST, 1L);
      curl_easy_setopt(m_easy, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(m_easy, CURLOPT_READDATA, this);
      curl_easy_setopt(m_easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body_size));
      // No "Expect: 100-continue" round trip before each upload.
      m_header_list = curl_slist_append(m_header_list, "Expect:");
    } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      m_request_body = request.body;
      curl_easy_setopt(m_easy, CURLOPT_POSTFIELDS, m_request_body.data());
      curl_easy_setopt(m_easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(m_request_body.size()));
    }
    for (const auto& [name, value] : request.headers) {
      m_header_list = curl_slist_append(m_header_list, (name + ": " + value).c_str());
    }
    if (m_header_list != nullptr) curl_easy_setopt(m_easy, CURLOPT_HTTPHEADER, m_header_list);
    if (!request.unix_socket.empty()) {
      curl_easy_setopt(m_easy, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
    }
    curl_easy_setopt(m_easy, CURLOPT_CONNECTTIMEOUT, static_cast<long>(request.connect_timeout.count()));
    curl_easy_setopt(m_easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(m_easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.idle_timeout.count()));
    curl_easy_setopt(m_easy, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
    curl_easy_setopt(m_easy, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(m_easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_easy, CURLOPT_USERAGENT, "airlock");
    curl_easy_setopt(m_easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(m_easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (!request.ca_file.empty()) curl_easy_setopt(m_easy, CURLOPT_CAINFO, request.ca_file.c_str());
    if (!request.verify_tls) {
      curl_easy_setopt(m_easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(m_easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(m_easy, CURLOPT_ERRORBUFFER, m_error_text);
    curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(m_easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(m_easy, CURLOPT_HEADERDATA, this);
    curl_multi_add_handle(m_multi, m_easy);
    // Run until the final response's headers are complete (or it failed).
    while (!m_headers_done && !m_done) AIRLOCK_TRY(pump());
    if (m_body_error) return *m_body_error;
    if (m_done && m_result != CURLE_OK && !m_headers_done) return transfer_error();
    long status = 0;
    curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
    m_status = status;
    char* effective = nullptr;
    curl_easy_getinfo(m_easy, CURLINFO_EFFECTIVE_URL, &effective);
    m_url = effective != nullptr ? effective : request.url;
    return {};
  }

  Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
    while (m_buffer.empty()) {
      if (m_done) {
        if (m_result != CURLE_OK) return transfer_error();
        return std::size_t{0};
      }
      AIRLOCK_TRY(pump());
    }
    const std::size_t n = std::min(buffer.size(), m_buffer.size());
    std::copy_n(m_buffer.begin(), n, buffer.begin());
    m_buffer.erase(m_buffer.begin(), m_buffer.begin() + static_cast<std::ptrdiff_t>(n));
    if (m_paused && m_buffer.size() < k_pause_above / 2) {
      m_paused = false;
      curl_easy_pause(m_easy, CURLPAUSE_CONT);
    }
    return n;
  }

 private:
  static size_t on_read(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<CurlResponse*>(self_ptr);
    auto n = self->m_body_source->read(std::span(reinterpret_cast<std::uint8_t*>(data), size * count));
    if (!n) {
      self->m_body_error = n.error();
      return CURL_READFUNC_ABORT;
    }
    return *n;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<CurlResponse*>(self_ptr);
    self->m_headers_done = true;
    if (self->m_buffer.size() > k_pause_above) {
      self->m_paused = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    self->m_buffer.insert(self->m_buffer.end(), data, data + size * count);
    return size * count;
  }

  static size_t on_header(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<CurlResponse*>(self_ptr);
    const std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      self->m_headers.clear();  // a new response (after a redirect or 100-continue)
      self->m_headers_done = false;
    } else if (line == "\r\n" || line == "\n") {
      long code = 0;
      curl_easy_getinfo(self->m_easy, CURLINFO_RESPONSE_CODE, &code);
      // Headers of a redirect or an interim response are not the final ones.
      const bool redirect = code >= 300 && code < 400 && self->m_follow;
      if (code >= 200 && !redirect) self->m_headers_done = true;
    } else {
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        self->m_headers.emplace(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
      }
    }
    return size * count;
  }

  Status pump() {
    int running = 0;
    const CURLMcode rc = curl_multi_perform(m_multi, &running);
    if (rc != CURLM_OK) return Error(ErrorCode::internal, std::string("libcurl: ") + curl_multi_strerror(rc));
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(m_multi, &queued)) {
      if (msg->msg == CURLMSG_DONE) {
        m_done = true;
        m_result = msg->data.result;
      }
    }
    if (!m_done && (m_buffer.empty() || !m_headers_done) && !m_paused) {
      curl_multi_poll(m_multi, nullptr, 0, 1000, nullptr);
    }
    return {};
  }

  Error transfer_error() const {
    std::string detail = m_error_text[0] != '\0' ? m_error_text : curl_easy_strerror(m_result);
    std::string hint;
    switch (m_result) {
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CACERT_BADFILE:
        hint = " (TLS failed: check the server's certificate and the system CA store)";
        break;
      case CURLE_OPERATION_TIMEDOUT: hint = " (timed out)"; break;
      default: break;
    }
    return Error(ErrorCode::unavailable, "cannot reach " + m_target + ": " + detail + hint);
  }

  CURL* m_easy;
  CURLM* m_multi;
  curl_slist* m_header_list = nullptr;
  std::string m_request_body;
  ByteSource* m_body_source = nullptr;
  std::optional<Error> m_body_error;  // the upload's source failed
  std::string m_target;
  std::deque<std::uint8_t> m_buffer;
  bool m_headers_done = false;
  bool m_done = false;
  bool m_paused = false;
  bool m_follow = true;
  CURLcode m_result = CURLE_OK;
  char m_error_text[CURL_ERROR_SIZE] = {};
};

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  const std::string key = lower(name);
  std::optional<std::string> value;
  for (auto [it, end] = m_headers.equal_range(key); it != end; ++it) value = it->second;
  return value;
}

Result<std::string> HttpResponse::read_body(std::size_t max_bytes) {
  std::string body;
  std::vector<std::uint8_t> chunk(64 * 1024);
  for (;;) {
    AIRLOCK_TRY_ASSIGN(const std::size_t n, read(chunk));
    if (n == 0) return body;
    if (body.size() + n > max_bytes) {
      return Error(ErrorCode::invalid_input, "the response from " + m_url + " is larger than " +
                                                 std::to_string(max_bytes) + " bytes");
    }
    body.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
}

CurlHttpClient::CurlHttpClient() {
  static const bool initialised = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  static_cast<void>(initialised);
}

Result<std::unique_ptr<HttpResponse>> CurlHttpClient::send(const HttpRequest& request) {
  auto response = std::make_unique<CurlResponse>();
  AIRLOCK_TRY(response->start(request));
  return std::unique_ptr<HttpResponse>(std::move(response));
}

bool is_loopback_host(std::string_view host) {
  if (host.starts_with("[")) host = host.substr(1, host.find(']') - 1);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace airlock
