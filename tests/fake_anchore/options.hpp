#pragma once
// The command line of fake-anchore: who may log in, which API generation it
// plays (6.x apps or 5.x imports), how jobs progress and which faults it injects.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace airlock::fake_anchore {

struct User {
  std::string name;
  std::string password;
  std::string account;
  bool admin = false;  // may act in any account through x-anchore-account
};

enum class ApiMode { v6, v5 };

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string port_file;
  std::vector<User> users;
  std::map<std::string, std::string> api_keys;       // key → username
  std::map<std::string, std::string> bearer_tokens;  // token → username
  std::vector<std::string> accounts;                 // besides the users' own
  std::size_t page_size = 2;  // small by default so clients must follow cursors
  ApiMode api = ApiMode::v6;
  int job_steps = 2;
  std::set<std::string> job_fail_assets;
  double fail_503 = 0;
  double fail_500 = 0;
  double rate_429 = 0;
  double drop = 0;
  int retry_after_seconds = 1;
  int latency_ms = 0;
  std::size_t max_part_bytes = std::size_t{100} * 1024 * 1024;
  int threads = 16;
  std::uint64_t seed = 1;
  bool verbose = false;  // one line per request on stderr
};

struct ParsedOptions {
  std::optional<Options> options;  // empty on error or --help
  std::string error;
  bool help = false;
};

// Parses ARGS (without the program name).
ParsedOptions parse_options(const std::vector<std::string>& args);
std::string usage();

}  // namespace airlock::fake_anchore
