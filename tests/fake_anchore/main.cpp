// fake-anchore: an in-memory Anchore Enterprise double for airlock's
// black-box tests and the README demo. It serves the 6.x apps/jobs API (or the
// 5.x imports API), validates submissions strictly, injects faults on demand,
// and shows everything it holds at /_fake/state. Flags: options.cpp.
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <chrono>
#include <thread>

#include "tests/fake_anchore/routes.hpp"

namespace airlock::fake_anchore {
namespace {

// Idle keep-alive connections hold a worker until this times out, and a stop
// waits for them; keep it short so SIGTERM is quick.
constexpr time_t keep_alive_seconds = 2;

bool write_port_file(const std::string& path, int port) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);  // readers see the whole number or nothing
  return !ec;
}

void configure(httplib::Server& server, Context& ctx) {
  server.new_task_queue = [threads = ctx.options.threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  server.set_keep_alive_timeout(keep_alive_seconds);
  server.set_pre_routing_handler([&ctx](const httplib::Request& req, httplib::Response&) {
    if (req.path.starts_with("/v2/") || req.path == "/v2") ++ctx.counters.requests;
    // httplib 0.11 answers 400 to a POST with neither Content-Length nor a
    // chunked body, which HTTP/1.1 allows for an empty body (curl -X POST)
    // and Anchore accepts where no body is expected. The request object is
    // httplib's own non-const local, so filling in the header is sound.
    if (req.method == "POST" && req.path == "/v2/imports/images" && !req.has_header("Content-Length") &&
        !req.has_header("Transfer-Encoding")) {
      const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // httplib calls this for every status >= 400; only bodiless answers (no
  // route matched) get the framework's shape-2 body.
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    const std::string detail =
        res.status == 404 ? "The requested URL was not found on the server. If you entered the URL manually "
                            "please check your spelling and try again."
                          : status_title(res.status);
    reply_problem(res, res.status, detail);
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    reply_error(res, 500, "fake-anchore internal error: " + what);
  });
  if (ctx.options.verbose) {
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "fake-anchore: %s %s -> %d\n", req.method.c_str(), req.target.c_str(), res.status);
    });
  }
  add_system_routes(server, ctx);
  add_app_routes(server, ctx);
  add_job_routes(server, ctx);
  add_import_routes(server, ctx);
  add_control_routes(server, ctx);
}

int run(const Options& options) {
  // SIGTERM and SIGINT go to one waiting thread (blocked everywhere else, and
  // before any worker starts, so they inherit the mask); SIGPIPE is ignored
  // because dropped connections are part of the job.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Model model(options);
  ImportsModel imports(options);
  const Authenticator auth(options);
  FaultInjector faults(options);
  Counters counters;
  Context ctx{options, model, imports, auth, faults, counters};
  httplib::Server server;
  configure(server, ctx);

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::cerr << "fake-anchore: cannot listen on " << options.host << ":" << options.port << '\n';
    return 1;
  }
  if (!options.port_file.empty() && !write_port_file(options.port_file, port)) {
    std::cerr << "fake-anchore: cannot write " << options.port_file << '\n';
    return 1;
  }
  const bool ipv6 = options.host.find(':') != std::string::npos;
  std::cout << "listening on http://" << (ipv6 ? "[" + options.host + "]" : options.host) << ":" << port
            << std::endl;

  std::atomic<bool> signalled{false};
  std::atomic<bool> listen_returned{false};
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    signalled = true;
    // httplib's stop() does nothing before the accept loop runs: a SIGTERM
    // right after "listening on" (a busy machine) would otherwise be lost.
    while (!server.is_running() && !listen_returned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server.stop();
  });
  const bool ok = server.listen_after_bind();
  listen_returned = true;
  if (!signalled) pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter
  waiter.join();
  return ok || signalled ? 0 : 1;
}

}  // namespace
}  // namespace airlock::fake_anchore

int main(int argc, char** argv) {
  using namespace airlock::fake_anchore;
  const auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (parsed.help) {
    std::cout << usage();
    return 0;
  }
  if (!parsed.options) {
    std::cerr << "fake-anchore: " << parsed.error << " (see fake-anchore --help)\n";
    return 2;
  }
  return run(*parsed.options);
}
