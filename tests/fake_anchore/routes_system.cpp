// /v2/health and /v2/version.
#include "tests/fake_anchore/routes.hpp"

namespace airlock::fake_anchore {

void add_system_routes(httplib::Server& server, Context& ctx) {
  server.Get("/v2/health", guarded(ctx, "", [](const httplib::Request&, httplib::Response& res, const std::string&) {
               res.status = 200;
             }));
  server.Get("/v2/version", guarded(ctx, "", [&ctx](const httplib::Request&, httplib::Response& res,
                                                   const std::string&) {
               const char* version = ctx.options.api == ApiMode::v6 ? "6.0.0-fake" : "5.22.0-fake";
               reply_json(res, 200,
                          {{"service", {{"version", version}}},
                           {"api", {{"version", "2"}}},
                           {"db", {{"schema_version", "1"}}}});
             }));
}

}  // namespace airlock::fake_anchore
