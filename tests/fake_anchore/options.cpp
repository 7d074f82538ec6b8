#include "tests/fake_anchore/options.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>

namespace airlock::fake_anchore {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    fields.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return fields;
    start = end + 1;
  }
}

template <typename T>
T parse_number(const std::string& flag, const std::string& text, T min, T max) {
  T value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max) {
    throw std::invalid_argument(flag + ": not a number in range: '" + text + "'");
  }
  return value;
}

double parse_rate(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(value >= 0.0 && value <= 1.0)) {
    throw std::invalid_argument(flag + ": expected a rate between 0 and 1, got '" + text + "'");
  }
  return value;
}

User parse_user(const std::string& text) {
  const auto fields = split(text, ':');
  if (fields.size() < 3 || fields.size() > 4 || fields[0].empty() || fields[2].empty() ||
      (fields.size() == 4 && fields[3] != "admin")) {
    throw std::invalid_argument("--user: expected NAME:PASSWORD:ACCOUNT[:admin], got '" + text + "'");
  }
  return User{fields[0], fields[1], fields[2], fields.size() == 4};
}

// "SECRET:USERNAME"; the secret may not contain ':', the user name may not either.
std::pair<std::string, std::string> parse_secret(const std::string& flag, const std::string& text) {
  const auto fields = split(text, ':');
  if (fields.size() != 2 || fields[0].empty() || fields[1].empty()) {
    throw std::invalid_argument(flag + ": expected SECRET:USERNAME, got '" + text + "'");
  }
  return {fields[0], fields[1]};
}

void parse_listen(const std::string& text, Options& options) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("--listen: expected HOST:PORT, got '" + text + "'");
  }
  options.host = text.substr(0, colon);
  options.port = parse_number<int>("--listen", text.substr(colon + 1), 0, 65535);
}

void check_consistency(Options& options) {
  if (options.users.empty()) options.users.push_back(User{"admin", "foobar", "admin", true});
  auto known = [&](const std::string& name) {
    for (const auto& user : options.users) {
      if (user.name == name) return true;
    }
    return false;
  };
  for (const auto& [key, user] : options.api_keys) {
    if (!known(user)) throw std::invalid_argument("--api-key: unknown user '" + user + "'");
  }
  for (const auto& [token, user] : options.bearer_tokens) {
    if (!known(user)) throw std::invalid_argument("--bearer: unknown user '" + user + "'");
  }
  // The rates pick one outcome from a single draw, so they must fit in [0, 1].
  if (options.drop + options.rate_429 + options.fail_503 + options.fail_500 > 1.0 + 1e-9) {
    throw std::invalid_argument("--drop, --rate-429, --fail-503 and --fail-500 add up to more than 1");
  }
}

}  // namespace

std::string usage() {
  return R"(usage: fake-anchore [--listen HOST:PORT] [flags]
An in-memory Anchore Enterprise double for tests (API 6.x apps and jobs, or 5.x imports).
  --listen HOST:PORT          address to bind (default 127.0.0.1:0, any free port)
  --port-file FILE            write the bound port to FILE (atomically)
  --user NAME:PASSWORD:ACCOUNT[:admin]   repeatable (default admin:foobar:admin:admin)
  --api-key KEY:USERNAME      Basic "_api_key:KEY" logs in as USERNAME (repeatable)
  --bearer TOKEN:USERNAME     "Authorization: Bearer TOKEN" logs in as USERNAME (repeatable)
  --account NAME              an extra account that exists (repeatable)
  --page-size N               max items per list page (default 2)
  --api v6|v5                 v6: apps and jobs (default); v5: imports API, no /v2/apps
  --job-steps N               GETs of a job before it is terminal (default 2)
  --job-fail-asset NAME       jobs for this asset name end "failed" (repeatable)
  --fail-503 RATE  --fail-500 RATE  --rate-429 RATE  --retry-after SECONDS (default 1)
  --drop RATE                 drop the connection, before or after processing
  --latency-ms N              sleep before answering each /v2 request
  --max-part-bytes N          largest accepted part or upload (default 100 MiB)
  --threads N                 worker threads (default 16)
  --seed N                    seed of the fault generator (default 1)
  --verbose                   log each request to stderr
)";
}

ParsedOptions parse_options(const std::vector<std::string>& args) {
  ParsedOptions parsed;
  Options options;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string flag = args[i];
      std::optional<std::string> inline_value;
      if (const auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
        inline_value = flag.substr(eq + 1);
        flag.resize(eq);
      }
      if (flag == "--help" || flag == "-h") {
        parsed.help = true;
        return parsed;
      }
      if (flag == "--verbose") {
        options.verbose = true;
        continue;
      }
      auto value = [&]() -> std::string {
        if (inline_value) return *inline_value;
        if (i + 1 >= args.size()) throw std::invalid_argument(flag + ": missing value");
        return args[++i];
      };
      if (flag == "--listen") {
        parse_listen(value(), options);
      } else if (flag == "--port-file") {
        options.port_file = value();
      } else if (flag == "--user") {
        options.users.push_back(parse_user(value()));
      } else if (flag == "--api-key") {
        options.api_keys.insert(parse_secret(flag, value()));
      } else if (flag == "--bearer") {
        options.bearer_tokens.insert(parse_secret(flag, value()));
      } else if (flag == "--account") {
        const auto name = value();
        if (name.empty()) throw std::invalid_argument("--account: empty name");
        options.accounts.push_back(name);
      } else if (flag == "--page-size") {
        options.page_size = parse_number<std::size_t>(flag, value(), 1, 100000);
      } else if (flag == "--api") {
        const auto api = value();
        if (api != "v6" && api != "v5") throw std::invalid_argument("--api: expected v6 or v5, got '" + api + "'");
        options.api = api == "v6" ? ApiMode::v6 : ApiMode::v5;
      } else if (flag == "--job-steps") {
        options.job_steps = parse_number<int>(flag, value(), 0, 1000);
      } else if (flag == "--job-fail-asset") {
        options.job_fail_assets.insert(value());
      } else if (flag == "--fail-503") {
        options.fail_503 = parse_rate(flag, value());
      } else if (flag == "--fail-500") {
        options.fail_500 = parse_rate(flag, value());
      } else if (flag == "--rate-429") {
        options.rate_429 = parse_rate(flag, value());
      } else if (flag == "--drop") {
        options.drop = parse_rate(flag, value());
      } else if (flag == "--retry-after") {
        options.retry_after_seconds = parse_number<int>(flag, value(), 0, 3600);
      } else if (flag == "--latency-ms") {
        options.latency_ms = parse_number<int>(flag, value(), 0, 600000);
      } else if (flag == "--max-part-bytes") {
        options.max_part_bytes = parse_number<std::size_t>(flag, value(), 1, std::numeric_limits<std::size_t>::max());
      } else if (flag == "--threads") {
        options.threads = parse_number<int>(flag, value(), 1, 1024);
      } else if (flag == "--seed") {
        options.seed = parse_number<std::uint64_t>(flag, value(), 0, std::numeric_limits<std::uint64_t>::max());
      } else {
        throw std::invalid_argument("unknown flag '" + args[i] + "'");
      }
    }
    check_consistency(options);
  } catch (const std::invalid_argument& e) {
    parsed.error = e.what();
    return parsed;
  }
  parsed.options = std::move(options);
  return parsed;
}

}  // namespace airlock::fake_anchore
