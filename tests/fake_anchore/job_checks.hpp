#pragma once
// The strict checks of a job submission's multipart body: the shape-A parts of
// add-imported-image-asset (DESIGN §6.1) and the text fields of
// add-container-image-asset (anchore-api.md §4.2). A rejection names the part,
// so a client bug shows up as a precise 400 in the tests.

#include <httplib.h>

#include <cstddef>
#include <string>
#include <variant>

#include "tests/fake_anchore/model.hpp"

namespace airlock::fake_anchore {

// The request, or the detail of the 400 that rejects it.
using JobCheck = std::variant<JobRequest, std::string>;

JobCheck check_imported_image_job(const httplib::Request& req, std::size_t max_part_bytes);
JobCheck check_container_image_job(const httplib::Request& req, std::size_t max_part_bytes);

}  // namespace airlock::fake_anchore
