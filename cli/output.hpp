#pragma once
// Output: where a command's words go. Results to stdout; diagnostics and
// progress to stderr, quietened by -q and widened by -v.

#include <iosfwd>
#include <memory>
#include <string_view>

#include "base/error.hpp"
#include "base/progress.hpp"

namespace airlock::cli {

enum class Verbosity { quiet, normal, verbose };

class Output {
 public:
  Output(std::ostream& out, std::ostream& err, Verbosity verbosity, bool json, bool progress_allowed,
         bool err_is_terminal);

  std::ostream& result() { return m_out; }
  bool json() const { return m_json; }
  Verbosity verbosity() const { return m_verbosity; }

  void info(std::string_view message);     // hidden by -q
  void verbose(std::string_view message);  // shown with -v
  void warning(std::string_view message);  // always shown
  void error(const Error& error);          // always shown

  // A progress bar on a terminal (unless --no-progress or -q), else silent.
  std::unique_ptr<Progress> progress();

 private:
  std::ostream& m_out;
  std::ostream& m_err;
  Verbosity m_verbosity;
  bool m_json;
  bool m_progress_allowed;
  bool m_err_is_terminal;
};

}  // namespace airlock::cli
