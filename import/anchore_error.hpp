#pragma once
// Anchore's error bodies (anchore-api.md §7): the handler shape {message,
// httpcode, detail}, the framework shape {type, title, status, detail}, the
// published ApiErrorResponse {code, error_type, message, detail}, and plain
// text. One place turns any of them into a message and an error code.

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace airlock {

// The message a server's error body carries, or a summary of the raw body.
std::string anchore_error_message(std::string_view body);

// An Error for a non-2xx answer to WHAT (e.g. "POST /v2/apps"): the status,
// the server's message, and what the user can do about it.
Error anchore_http_error(long status, std::string_view body, std::string_view what);

}  // namespace airlock
