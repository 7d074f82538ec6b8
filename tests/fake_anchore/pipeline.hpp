#pragma once
// What every /v2 route goes through before its own code: latency and injected
// faults, then credentials, then the account scope (x-anchore-account) for the
// route's permission action. Also the shared context and counters the routes use.

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "tests/fake_anchore/auth.hpp"
#include "tests/fake_anchore/faults.hpp"
#include "tests/fake_anchore/imports_model.hpp"
#include "tests/fake_anchore/model.hpp"
#include "tests/fake_anchore/options.hpp"

namespace airlock::fake_anchore {

// Counts shown in /_fake/state; tests assert on them ("exactly one job per item").
struct Counters {
  std::atomic<std::uint64_t> requests{0};      // /v2 requests received
  std::atomic<std::uint64_t> job_posts{0};     // job submissions that passed faults and auth
  std::atomic<std::uint64_t> jobs_created{0};  // of those, the ones answered 201
  std::atomic<std::uint64_t> uploads{0};       // 5.x content uploads that passed faults and auth
  std::atomic<std::uint64_t> image_posts{0};   // 5.x finalizes (POST /v2/images) that passed faults and auth
  std::atomic<std::uint64_t> dropped{0};       // connections dropped, before or after processing
  std::atomic<std::uint64_t> faulted{0};       // injected 429, 503 and 500 answers
  std::atomic<std::uint64_t> unauthorized{0};  // 401 answers
  std::atomic<std::uint64_t> forbidden{0};     // 403 answers

  nlohmann::json to_json() const;
};

struct Context {
  const Options& options;
  Model& model;
  ImportsModel& imports;
  const Authenticator& auth;
  FaultInjector& faults;
  Counters& counters;
};

// A route's own code, given the account the request acts in.
using ScopedHandler = std::function<void(const httplib::Request&, httplib::Response&, const std::string& account)>;

// Wraps HANDLER in the /v2 pipeline. ACTION is the permission named in a 403
// (e.g. "createAssets"); empty for routes outside any account (health, version).
httplib::Server::Handler guarded(Context& ctx, std::string action, ScopedHandler handler);

// The request body as a JSON object, or nullopt after answering 400 (shape 2).
std::optional<nlohmann::json> json_object_body(const httplib::Request& req, httplib::Response& res);

}  // namespace airlock::fake_anchore
