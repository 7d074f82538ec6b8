#pragma once
// HttpClient: HTTP(S) requests with streamed response bodies, over TCP or a
// unix socket (Docker/Podman daemons). Behind an interface so callers can be
// tested with fakes; CurlHttpClient is the real one (libcurl).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_stream.hpp"

namespace airlock {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A streamed body instead of BODY (uploads): BODY_SIZE bytes read from
  // BODY_SOURCE, which must outlive the response's headers.
  ByteSource* body_source = nullptr;
  std::uint64_t body_size = 0;
  std::string unix_socket;  // connect here instead of the URL's host
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds idle_timeout{60};  // fail when no byte arrives for this long
  bool follow_redirects = true;
  bool verify_tls = true;
  std::string ca_file;  // PEM bundle to trust instead of the system CA store
};

// A response whose status and headers have arrived; the body streams.
class HttpResponse : public ByteSource {
 public:
  long status() const { return m_status; }
  // Header value by case-insensitive name (the last one when repeated).
  std::optional<std::string> header(std::string_view name) const;
  const std::string& url() const { return m_url; }
  // Reads the rest of the body; fails if it is longer than MAX_BYTES.
  Result<std::string> read_body(std::size_t max_bytes);

 protected:
  long m_status = 0;
  std::multimap<std::string, std::string> m_headers;  // lower-case names
  std::string m_url;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Fails only when no HTTP response arrived (connection, TLS, timeout):
  // every status code is a response, for the caller to judge.
  virtual Result<std::unique_ptr<HttpResponse>> send(const HttpRequest& request) = 0;
};

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient();
  Result<std::unique_ptr<HttpResponse>> send(const HttpRequest& request) override;
};

// Host is a loopback name or address (where Docker allows plain HTTP).
bool is_loopback_host(std::string_view host);

}  // namespace airlock
