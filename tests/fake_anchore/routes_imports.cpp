// 5.x image imports (--api v5): operations, content uploads and the finalize
// POST /v2/images, then image records whose analysis advances per read
// (anchore-api.md §4.4, §4.5).
#include <map>

#include "tests/fake_anchore/media_types.hpp"
#include "tests/fake_anchore/routes.hpp"

namespace airlock::fake_anchore {
namespace {

// URL spelling → ImportContentDigests key.
const std::map<std::string, std::string> content_kinds = {
    {"packages", "packages"},
    {"sbom", "sbom"},
    {"manifest", "manifest"},
    {"parent-manifest", "parent_manifest"},
    {"image-config", "image_config"},
    {"dockerfile", "dockerfile"},
    {"secret-searches", "secret_searches"},
    {"content-searches", "content_searches"},
    {"file-contents", "file_contents"},
};
constexpr const char* content_path = R"(/v2/imports/images/([^/]+)/([a-z-]+))";

// The content kind the path names, or nullptr after answering 404 as for an unknown route.
const std::string* content_kind(const httplib::Request& req, httplib::Response& res) {
  const auto it = content_kinds.find(req.matches[2]);
  if (it != content_kinds.end()) return &it->second;
  reply_problem(res, 404, "The requested URL was not found on the server.");
  return nullptr;
}

void upload(Context& ctx, const httplib::Request& req, httplib::Response& res, const std::string& account) {
  const std::string* kind_name = content_kind(req, res);
  if (kind_name == nullptr) return;
  const std::string& kind = *kind_name;
  ++ctx.counters.uploads;
  if (!req.has_header("Content-Length")) {
    reply_error(res, 400, "Content-Length header is required for content uploads");
    return;
  }
  if (req.body.size() > ctx.options.max_part_bytes) {
    reply_error(res, 400, "too large. Max size of " + std::to_string(ctx.options.max_part_bytes) +
                              " bytes supported for content");
    return;
  }
  const std::string type = media_type_of(req.get_header_value("Content-Type"));
  if ((kind == "manifest" && !manifest_media_types().contains(type)) ||
      (kind == "parent_manifest" && !index_media_types().contains(type))) {
    reply_problem(res, 415, "Invalid Content-type (" + type + ") for " + std::string(req.matches[2]));
    return;
  }
  if (kind != "dockerfile" && nlohmann::json::parse(req.body, nullptr, false).is_discarded()) {
    reply_problem(res, 400, "The " + std::string(req.matches[2]) + " content is not valid JSON");
    return;
  }
  reply(res, ctx.imports.upload(account, req.matches[1], kind, req.body, type));
}

}  // namespace

void add_import_routes(httplib::Server& server, Context& ctx) {
  if (ctx.options.api != ApiMode::v5) return;
  server.Post("/v2/imports/images", guarded(ctx, "importImage", [&ctx](const httplib::Request&,
                                                                      httplib::Response& res,
                                                                      const std::string& account) {
                reply(res, ctx.imports.create_operation(account));
              }));
  server.Get("/v2/imports/images", guarded(ctx, "importImage", [&ctx](const httplib::Request&,
                                                                     httplib::Response& res,
                                                                     const std::string& account) {
               reply(res, ctx.imports.list_operations(account));
             }));
  server.Post(content_path, guarded(ctx, "importImage", [&ctx](const httplib::Request& req, httplib::Response& res,
                                                               const std::string& account) {
                upload(ctx, req, res, account);
              }));
  server.Get(content_path, guarded(ctx, "importImage", [&ctx](const httplib::Request& req, httplib::Response& res,
                                                              const std::string& account) {
               if (const std::string* kind = content_kind(req, res)) {
                 reply(res, ctx.imports.list_contents(account, req.matches[1], *kind));
               }
             }));
  server.Get(R"(/v2/imports/images/([^/]+))",
             guarded(ctx, "importImage",
                     [&ctx](const httplib::Request& req, httplib::Response& res, const std::string& account) {
                       reply(res, ctx.imports.get_operation(account, req.matches[1]));
                     }));
  server.Post("/v2/images", guarded(ctx, "createImage", [&ctx](const httplib::Request& req, httplib::Response& res,
                                                               const std::string& account) {
                ++ctx.counters.image_posts;
                const auto body = json_object_body(req, res);
                if (!body) return;
                reply(res, ctx.imports.finalize(account, *body));
              }));
  server.Get(R"(/v2/images/(sha256:[0-9a-f]{64}))",
             guarded(ctx, "getImage",
                     [&ctx](const httplib::Request& req, httplib::Response& res, const std::string& account) {
                       reply(res, ctx.imports.get_image(account, req.matches[1]));
                     }));
}

}  // namespace airlock::fake_anchore
