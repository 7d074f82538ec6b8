#include "cli/output.hpp"

#include <ostream>

#include "cli/terminal_progress.hpp"

namespace airlock::cli {

Output::Output(std::ostream& out, std::ostream& err, Verbosity verbosity, bool json,
               bool progress_allowed, bool err_is_terminal)
    : m_out(out),
      m_err(err),
      m_verbosity(verbosity),
      m_json(json),
      m_progress_allowed(progress_allowed),
      m_err_is_terminal(err_is_terminal) {}

void Output::info(std::string_view message) {
  if (m_verbosity != Verbosity::quiet) m_err << message << '\n';
}

void Output::verbose(std::string_view message) {
  if (m_verbosity == Verbosity::verbose) m_err << "airlock: " << message << '\n';
}

void Output::warning(std::string_view message) { m_err << "airlock: warning: " << message << '\n'; }

void Output::error(const Error& error) { m_err << "airlock: error: " << error.message() << '\n'; }

std::unique_ptr<Progress> Output::progress() {
  if (m_progress_allowed && m_err_is_terminal && m_verbosity != Verbosity::quiet) {
    return std::make_unique<TerminalProgress>(m_err);
  }
  return std::make_unique<NullProgress>();
}

}  // namespace airlock::cli
