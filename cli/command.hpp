#pragma once
// The command table's vocabulary: what a subcommand declares (its options,
// help text, examples) and what it receives when it runs.

#include <boost/program_options.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/environment.hpp"
#include "base/result.hpp"
#include "cli/output.hpp"

namespace airlock::cli {

namespace po = boost::program_options;

struct GlobalOptions {
  std::optional<std::filesystem::path> config_file;
  Verbosity verbosity = Verbosity::normal;
  bool json = false;
  bool no_progress = false;
};

struct CommandOptions {
  po::options_description options{"Options"};
  po::positional_options_description positional;
  // Names of positional arguments as they appear in the synopsis.
};

struct CommandContext {
  const GlobalOptions& globals;
  Output& out;
  const Environment& env;
  const po::variables_map& args;
};

struct Command {
  std::string_view name;         // words after "airlock", e.g. "key show"
  std::string_view synopsis;     // "airlock key show FILE"
  std::string_view summary;      // one line for the command list
  std::string_view description;  // paragraphs for COMMAND --help
  std::string_view examples;     // lines for COMMAND --help
  std::function<void(CommandOptions&)> declare;
  std::function<Status(CommandContext&)> run;
};

// Every command airlock has, in the order `airlock --help` lists them.
const std::vector<Command>& command_table();

// Entry point shared by main() and the in-process tests.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            const Environment& env, bool err_is_terminal);

// Reads an option the command declared, or nullopt.
template <typename T>
std::optional<T> option(const po::variables_map& args, const char* name) {
  if (args.count(name) == 0) return std::nullopt;
  return args[name].as<T>();
}

}  // namespace airlock::cli
