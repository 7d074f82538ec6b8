#include "tests/fake_anchore/faults.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <charconv>
#include <filesystem>
#include <thread>

#include "tests/fake_anchore/errors.hpp"

namespace airlock::fake_anchore {
namespace {

// The numeric host and port of a socket address, as httplib spells them.
bool address_of(const sockaddr_storage& address, std::string& host, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    port = ntohs(in.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    port = ntohs(in6.sin6_port);
  } else {
    return false;
  }
  host = text;
  return true;
}

bool is_connection(int fd, const httplib::Request& req) {
  sockaddr_storage local{}, peer{};
  socklen_t local_size = sizeof local, peer_size = sizeof peer;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0 ||
      ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) {
    return false;
  }
  std::string local_host, peer_host;
  int local_port = -1, peer_port = -1;
  return address_of(local, local_host, local_port) && address_of(peer, peer_host, peer_port) &&
         local_port == req.local_port && peer_port == req.remote_port && local_host == req.local_addr &&
         peer_host == req.remote_addr;
}

}  // namespace

FaultInjector::FaultInjector(const Options& options) : m_options(options), m_generator(options.seed) {}

void FaultInjector::delay() const {
  if (m_options.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(m_options.latency_ms));
}

Fault FaultInjector::draw() {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  double pick = 0;
  double half = 0;
  {
    std::lock_guard lock(m_mutex);
    pick = uniform(m_generator);
    half = uniform(m_generator);
  }
  // One draw picks among disjoint outcomes, so each rate is its own probability.
  double edge = m_options.drop;
  if (pick < edge) return half < 0.5 ? Fault::drop_before : Fault::drop_after;
  edge += m_options.rate_429;
  if (pick < edge) return Fault::too_many_requests;
  edge += m_options.fail_503;
  if (pick < edge) return Fault::unavailable;
  edge += m_options.fail_500;
  if (pick < edge) return Fault::internal_error;
  return Fault::none;
}

void FaultInjector::answer(Fault fault, httplib::Response& res) const {
  switch (fault) {
    case Fault::too_many_requests:
      res.set_header("Retry-After", std::to_string(m_options.retry_after_seconds));
      reply_error(res, 429, "Too many requests (injected fault)");
      break;
    case Fault::unavailable:
      reply_error(res, 503, "Service unavailable (injected fault)");
      break;
    case Fault::internal_error:
      reply_error(res, 500, "Internal server error (injected fault)");
      break;
    default:
      break;
  }
}

bool FaultInjector::close_connection(const httplib::Request& req) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    // shutdown, not close: httplib still owns the descriptor and closes it
    // itself once its write of the response fails.
    if (is_connection(fd, req)) return ::shutdown(fd, SHUT_RDWR) == 0;
  }
  return false;
}

void FaultInjector::break_response(httplib::Response& res) {
  const std::string body = std::move(res.body);
  const std::string content_type =
      res.has_header("Content-Type") ? res.get_header_value("Content-Type") : "application/json";
  res.body.clear();
  res.headers.erase("Content-Type");
  const std::string sent = body.substr(0, body.size() / 2);
  // Announce more than will ever come, so even an empty body cannot look complete.
  res.set_content_provider(body.size() + 64, content_type,
                           [sent](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                             if (offset == 0 && !sent.empty()) sink.write(sent.data(), sent.size());
                             return false;  // httplib then closes the connection mid-body
                           });
}

}  // namespace airlock::fake_anchore
