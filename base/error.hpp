#pragma once
// Error: the one error type of airlock. Every failure that a user can meet is
// an Error with a code from a closed set; the code alone decides the exit code
// and the HTTP status, in error.cpp and nowhere else.

#include <string>
#include <string_view>

namespace airlock {

enum class ErrorCode {
  usage,          // the command line or a config file is wrong
  not_found,      // a named file, item, key, image … does not exist
  io,             // the operating system refused a read or write
  invalid_input,  // input exists but is malformed, truncated or over a limit
  permission,     // a file's permissions make it unsafe to use (e.g. a key readable by others)
  verification,   // a signature, hash or trust check failed
  unauthorized,   // a server refused our credentials
  conflict,       // the thing already exists, or another writer holds it
  unavailable,    // a server or daemon could not be reached or kept failing
  partial,        // some items succeeded and some failed
  internal,       // a bug in airlock: an invariant did not hold
};

// Exit codes of DESIGN §3.
enum class ExitCode : int {
  success = 0,
  operational = 1,
  usage = 2,
  verification = 3,
  partial = 4,
};

class Error {
 public:
  Error(ErrorCode code, std::string message) : m_code(code), m_message(std::move(message)) {}

  ErrorCode code() const { return m_code; }
  const std::string& message() const { return m_message; }

  // Returns the same error with "context: " in front of the message, for
  // callers that know which input or step failed.
  Error with_context(std::string_view context) const;

  // An io error for a failed system call on PATH; reads errno.
  static Error from_errno(std::string_view what, std::string_view path);

 private:
  ErrorCode m_code;
  std::string m_message;
};

std::string_view error_code_name(ErrorCode code);
ExitCode exit_code_for(ErrorCode code);
int http_status_for(ErrorCode code);

}  // namespace airlock
