#pragma once
// The registry media types a manifest or an index may be sent with
// (anchore-api.md §4.4), shared by the 6.x job checks and the 5.x uploads.

#include <set>
#include <string>

namespace airlock::fake_anchore {

const std::set<std::string>& manifest_media_types();
const std::set<std::string>& index_media_types();
// The media type of a Content-Type value: parameters and blanks dropped, lower case.
std::string media_type_of(const std::string& content_type);

}  // namespace airlock::fake_anchore
