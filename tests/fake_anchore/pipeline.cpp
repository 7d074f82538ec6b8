#include "tests/fake_anchore/pipeline.hpp"

#include "tests/fake_anchore/errors.hpp"

namespace airlock::fake_anchore {

nlohmann::json Counters::to_json() const {
  return {{"requests", requests.load()},   {"job_posts", job_posts.load()},     {"jobs_created", jobs_created.load()},
          {"uploads", uploads.load()},     {"image_posts", image_posts.load()}, {"dropped", dropped.load()},
          {"faulted", faulted.load()},     {"unauthorized", unauthorized.load()},
          {"forbidden", forbidden.load()}};
}

httplib::Server::Handler guarded(Context& ctx, std::string action, ScopedHandler handler) {
  return [&ctx, action = std::move(action), handler = std::move(handler)](const httplib::Request& req,
                                                                          httplib::Response& res) {
    ctx.faults.delay();
    const Fault fault = ctx.faults.draw();
    switch (fault) {
      case Fault::drop_before:
        ++ctx.counters.dropped;
        if (!FaultInjector::close_connection(req)) FaultInjector::break_response(res);
        return;
      case Fault::too_many_requests:
      case Fault::unavailable:
      case Fault::internal_error:
        ++ctx.counters.faulted;
        ctx.faults.answer(fault, res);
        return;
      case Fault::none:
      case Fault::drop_after:
        break;
    }
    if (const auto caller = ctx.auth.authenticate(req); !caller) {
      ++ctx.counters.unauthorized;
      reply_unauthorized(res);
    } else if (action.empty()) {
      handler(req, res, caller->account);
    } else if (const auto account = Authenticator::scope(*caller, req)) {
      handler(req, res, *account);
    } else {
      ++ctx.counters.forbidden;
      reply_error(res, 403, forbidden_message(Authenticator::requested_account(*caller, req), action));
    }
    if (fault == Fault::drop_after) {
      ++ctx.counters.dropped;
      FaultInjector::break_response(res);
    }
  };
}

std::optional<nlohmann::json> json_object_body(const httplib::Request& req, httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    reply_problem(res, 400, "The request body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

}  // namespace airlock::fake_anchore
