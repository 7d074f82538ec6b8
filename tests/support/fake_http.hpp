#pragma once
// Test helper: an HttpClient that answers from a script instead of a network,
// and records the requests it was sent.

#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "net/http_client.hpp"

namespace airlock::testing {

struct FakeReply {
  long status = 200;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool connection_fails = false;
};

class FakeResponse final : public HttpResponse {
 public:
  FakeResponse(const FakeReply& reply, std::string url) : m_body(reply.body), m_source(m_body) {
    m_status = reply.status;
    m_headers = reply.headers;
    m_url = std::move(url);
  }
  Result<std::size_t> read(std::span<std::uint8_t> buffer) override { return m_source.read(buffer); }

 private:
  std::string m_body;
  MemorySource m_source;
};

class FakeHttpClient final : public HttpClient {
 public:
  // Replies for URLs ending in SUFFIX, served in order; the last one repeats.
  void on(const std::string& suffix, std::vector<FakeReply> replies) {
    std::lock_guard lock(m_mutex);
    m_routes[suffix] = std::deque<FakeReply>(replies.begin(), replies.end());
  }
  Result<std::unique_ptr<HttpResponse>> send(const HttpRequest& request) override {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(request);
    for (auto& [suffix, replies] : m_routes) {
      const std::string path = request.url.substr(0, request.url.find('?'));
      if (!path.ends_with(suffix) || replies.empty()) continue;
      FakeReply reply = replies.front();
      if (replies.size() > 1) replies.pop_front();
      if (reply.connection_fails) return Error(ErrorCode::unavailable, "cannot reach " + request.url);
      return std::unique_ptr<HttpResponse>(new FakeResponse(reply, request.url));
    }
    return std::unique_ptr<HttpResponse>(new FakeResponse({404, {}, "", false}, request.url));
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

 private:
  std::mutex m_mutex;
  std::map<std::string, std::deque<FakeReply>> m_routes;
  std::vector<HttpRequest> m_requests;
};

}  // namespace airlock::testing
