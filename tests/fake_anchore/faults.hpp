#pragma once
// Injected failures for /v2 requests: latency, 429/503/500 answers and dropped
// connections. One seeded generator draws them in arrival order, so a
// single-threaded client sees the same faults on every run with one --seed.

#include <mutex>
#include <random>

#include "tests/fake_anchore/options.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace airlock::fake_anchore {

enum class Fault {
  none,
  drop_before,        // the connection closes before the request is processed
  drop_after,         // the request is processed, then its response is lost
  too_many_requests,  // 429 with Retry-After
  unavailable,        // 503
  internal_error,     // 500
};

class FaultInjector {
 public:
  explicit FaultInjector(const Options& options);

  // Sleeps --latency-ms.
  void delay() const;
  // The fault for the next request (exactly two draws per request, whatever the outcome).
  Fault draw();
  // Answers RES for too_many_requests, unavailable and internal_error.
  void answer(Fault fault, httplib::Response& res) const;

  // Shuts down the connection REQ arrived on, so the client reads EOF
  // without a byte of response; false when the socket cannot be found.
  static bool close_connection(const httplib::Request& req);
  // Makes RES announce its full length, send part of its body and then
  // break the connection: the client has seen a status line but must report
  // a transport error, not a response.
  static void break_response(httplib::Response& res);

 private:
  const Options& m_options;
  std::mutex m_mutex;
  std::mt19937_64 m_generator;
};

}  // namespace airlock::fake_anchore
