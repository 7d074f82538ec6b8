// 6.x asset jobs: submit (multipart), read one (each read is a poll that
// advances it), and list — all or by type (anchore-api.md §2.5, §4.2, §4.3).
#include <set>

#include "tests/fake_anchore/job_checks.hpp"
#include "tests/fake_anchore/pagination.hpp"
#include "tests/fake_anchore/routes.hpp"

namespace airlock::fake_anchore {
namespace {

const std::set<std::string> job_statuses = {"pending", "processing", "complete", "failed", "cancelled"};
constexpr const char* job_types = "add-imported-image-asset|add-container-image-asset";

ScopedHandler submit(Context& ctx, JobCheck (*check)(const httplib::Request&, std::size_t)) {
  return [&ctx, check](const httplib::Request& req, httplib::Response& res, const std::string& account) {
    ++ctx.counters.job_posts;
    auto checked = check(req, ctx.options.max_part_bytes);
    if (const auto* rejection = std::get_if<std::string>(&checked)) {
      reply_problem(res, 400, *rejection);
      return;
    }
    const auto answer = ctx.model.submit_job(account, req.matches[1], std::get<JobRequest>(checked));
    if (answer.status == 201) ++ctx.counters.jobs_created;
    reply(res, answer);
  };
}

ScopedHandler list(Context& ctx, bool by_type) {
  return [&ctx, by_type](const httplib::Request& req, httplib::Response& res, const std::string& account) {
    JobFilter filter{by_type ? std::string(req.matches[2]) : "", req.get_param_value("status"),
                     req.get_param_value("version_id")};
    if (!filter.status.empty() && !job_statuses.contains(filter.status)) {
      reply_problem(res, 400, "'" + filter.status + "' is not a valid job status");
      return;
    }
    const auto answer = ctx.model.list_jobs(account, req.matches[1], filter);
    if (answer.status != 200) return reply(res, answer);
    reply_page(req, res, answer.body, ctx.options.page_size);
  };
}

}  // namespace

void add_job_routes(httplib::Server& server, Context& ctx) {
  if (ctx.options.api != ApiMode::v6) return;
  server.Post(R"(/v2/apps/([^/]+)/jobs/add-imported-image-asset)",
              guarded(ctx, "createAssets", submit(ctx, check_imported_image_job)));
  server.Post(R"(/v2/apps/([^/]+)/jobs/add-container-image-asset)",
              guarded(ctx, "createAssets", submit(ctx, check_container_image_job)));
  server.Get(std::string(R"(/v2/apps/([^/]+)/jobs/()") + job_types + ")",
             guarded(ctx, "readApplications", list(ctx, true)));
  server.Get(R"(/v2/apps/([^/]+)/jobs/([^/]+))",
             guarded(ctx, "readApplications",
                     [&ctx](const httplib::Request& req, httplib::Response& res, const std::string& account) {
                       reply(res, ctx.model.poll_job(account, req.matches[1], req.matches[2]));
                     }));
  server.Get(R"(/v2/apps/([^/]+)/jobs)", guarded(ctx, "readApplications", list(ctx, false)));
}

}  // namespace airlock::fake_anchore
