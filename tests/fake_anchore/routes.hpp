#pragma once
// The route tables of fake-anchore, one function per API area. Job-type
// literals are registered before the /jobs/{id} pattern (httplib tries routes
// in registration order), as anchore-api.md §2.5 asks of a double.

#include <httplib.h>

#include "tests/fake_anchore/pipeline.hpp"

namespace airlock::fake_anchore {

// /v2/health, /v2/version.
void add_system_routes(httplib::Server& server, Context& ctx);
// 6.x: /v2/apps, versions, assets (absent with --api v5, so they answer 404).
void add_app_routes(httplib::Server& server, Context& ctx);
// 6.x: /v2/apps/{id}/jobs...
void add_job_routes(httplib::Server& server, Context& ctx);
// 5.x: /v2/imports/images..., /v2/images (absent with --api v6).
void add_import_routes(httplib::Server& server, Context& ctx);
// /_fake/state: no auth, no faults.
void add_control_routes(httplib::Server& server, Context& ctx);

}  // namespace airlock::fake_anchore
