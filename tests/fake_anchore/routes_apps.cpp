// 6.x apps, app versions and the assets of a version (anchore-api.md §4.1).
#include "tests/fake_anchore/pagination.hpp"
#include "tests/fake_anchore/routes.hpp"

namespace airlock::fake_anchore {
namespace {

// A required non-empty string member, or nullptr after answering 400.
const nlohmann::json* required_string(const nlohmann::json& object, const char* key, const std::string& path,
                                      httplib::Response& res) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string() ||
      object[key].get<std::string>().empty()) {
    reply_problem(res, 400, "'" + path + "' is a required property (a non-empty string)");
    return nullptr;
  }
  return &object[key];
}

bool optional_string(const nlohmann::json& object, const char* key, httplib::Response& res) {
  if (object.contains(key) && !object[key].is_string() && !object[key].is_null()) {
    reply_problem(res, 400, "'" + std::string(key) + "' must be a string");
    return false;
  }
  return true;
}

}  // namespace

void add_app_routes(httplib::Server& server, Context& ctx) {
  if (ctx.options.api != ApiMode::v6) return;

  server.Get("/v2/apps", guarded(ctx, "readApplications", [&ctx](const httplib::Request& req,
                                                                 httplib::Response& res, const std::string& account) {
               reply_page(req, res, ctx.model.list_apps(account, req.get_param_value("name")), ctx.options.page_size);
             }));

  server.Post("/v2/apps", guarded(ctx, "createApplications", [&ctx](const httplib::Request& req,
                                                                    httplib::Response& res,
                                                                    const std::string& account) {
                const auto body = json_object_body(req, res);
                if (!body) return;
                const auto* name = required_string(*body, "name", "name", res);
                if (name == nullptr) return;
                if (!body->contains("contact") || !(*body)["contact"].is_object()) {
                  reply_problem(res, 400, "'contact' is a required property (an object)");
                  return;
                }
                if (required_string((*body)["contact"], "name", "contact.name", res) == nullptr) return;
                if (!optional_string(*body, "description", res)) return;
                reply(res, ctx.model.create_app(account, name->get<std::string>(), *body));
              }));

  server.Get(R"(/v2/apps/([^/]+)/versions)",
             guarded(ctx, "readApplications",
                     [&ctx](const httplib::Request& req, httplib::Response& res, const std::string& account) {
                       const auto answer =
                           ctx.model.list_versions(account, req.matches[1], req.get_param_value("name"));
                       if (answer.status != 200) return reply(res, answer);
                       reply_page(req, res, answer.body, ctx.options.page_size);
                     }));

  server.Post(R"(/v2/apps/([^/]+)/versions)",
              guarded(ctx, "createApplications",
                      [&ctx](const httplib::Request& req, httplib::Response& res, const std::string& account) {
                        const auto body = json_object_body(req, res);
                        if (!body) return;
                        const auto* name = required_string(*body, "name", "name", res);
                        if (name == nullptr) return;
                        if (!optional_string(*body, "description", res)) return;
                        if (body->contains("status") &&
                            (!(*body)["status"].is_string() ||
                             ((*body)["status"] != "in_progress" && (*body)["status"] != "released" &&
                              (*body)["status"] != "eol"))) {
                          reply_problem(res, 400, "'status' must be one of in_progress, released, eol");
                          return;
                        }
                        reply(res, ctx.model.create_version(account, req.matches[1], name->get<std::string>(), *body));
                      }));

  server.Get(R"(/v2/apps/([^/]+)/versions/([^/]+)/assets)",
             guarded(ctx, "readApplications",
                     [&ctx](const httplib::Request& req, httplib::Response& res, const std::string& account) {
                       const auto answer = ctx.model.list_assets(account, req.matches[1], req.matches[2]);
                       if (answer.status != 200) return reply(res, answer);
                       reply_page(req, res, answer.body, ctx.options.page_size);
                     }));
}

}  // namespace airlock::fake_anchore
