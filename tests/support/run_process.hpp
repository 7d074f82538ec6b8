#pragma once
// Test helper: runs a program with arguments and extra environment variables,
// captures stdout and stderr, and returns them with the exit code.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace airlock::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::map<std::string, std::string> env;  // added to (or replacing) the inherited environment
  std::vector<std::string> unset_env;      // removed from the inherited environment
  std::filesystem::path cwd;               // empty: inherit
  std::string stdin_data;
  int kill_after_ms = -1;  // SIGKILL the process after this long (crash tests)
};

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const ProcessOptions& options = {});

// The airlock binary under test (from the AIRLOCK_BIN compile definition).
std::string airlock_binary();
ProcessResult run_airlock(const std::vector<std::string>& args, const ProcessOptions& options = {});

}  // namespace airlock::testing
