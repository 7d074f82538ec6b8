// /_fake/state: the whole store and the counters, for tests to assert on.
// Outside /v2, so neither faults nor credentials apply.
#include "tests/fake_anchore/routes.hpp"

namespace airlock::fake_anchore {

void add_control_routes(httplib::Server& server, Context& ctx) {
  server.Get("/_fake/state", [&ctx](const httplib::Request&, httplib::Response& res) {
    nlohmann::json state = ctx.model.state();
    const nlohmann::json imports = ctx.imports.state();
    state["api"] = ctx.options.api == ApiMode::v6 ? "v6" : "v5";
    state["import_operations"] = imports["import_operations"];
    state["images"] = imports["images"];
    state["counters"] = ctx.counters.to_json();
    reply_json(res, 200, state);
  });
}

}  // namespace airlock::fake_anchore
