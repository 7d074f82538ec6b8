#include "base/error.hpp"

#include <cerrno>
#include <cstring>

namespace airlock {

Error Error::with_context(std::string_view context) const {
  std::string message(context);
  message += ": ";
  message += m_message;
  return Error(m_code, std::move(message));
}

Error Error::from_errno(std::string_view what, std::string_view path) {
  const int saved = errno;
  std::string message(what);
  message += " ";
  message += path;
  message += ": ";
  message += std::strerror(saved);
  ErrorCode code = ErrorCode::io;
  if (saved == ENOENT || saved == ENOTDIR) {
    code = ErrorCode::not_found;
  }
  return Error(code, std::move(message));
}

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::usage: return "usage";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::io: return "io";
    case ErrorCode::invalid_input: return "invalid_input";
    case ErrorCode::permission: return "permission";
    case ErrorCode::verification: return "verification";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::partial: return "partial";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

ExitCode exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::usage: return ExitCode::usage;
    case ErrorCode::verification: return ExitCode::verification;
    case ErrorCode::partial: return ExitCode::partial;
    case ErrorCode::not_found:
    case ErrorCode::io:
    case ErrorCode::invalid_input:
    case ErrorCode::permission:
    case ErrorCode::unauthorized:
    case ErrorCode::conflict:
    case ErrorCode::unavailable:
    case ErrorCode::internal:
      return ExitCode::operational;
  }
  return ExitCode::operational;
}

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::usage: return 400;
    case ErrorCode::not_found: return 404;
    case ErrorCode::invalid_input: return 422;
    case ErrorCode::permission: return 403;
    case ErrorCode::verification: return 422;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::conflict: return 409;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::partial: return 207;
    case ErrorCode::io:
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

}  // namespace airlock
