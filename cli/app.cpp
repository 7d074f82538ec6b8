#include <algorithm>
#include <iostream>

#include "cli/command.hpp"
#include "cli/version_info.hpp"

namespace airlock::cli {

namespace {

void add_global_options(po::options_description& options) {
  // clang-format off
  options.add_options()
    ("config", po::value<std::string>()->value_name("FILE"), "read settings from FILE (airlock.yaml)")
    ("verbose,v", po::bool_switch(), "say more about what is done")
    ("quiet,q", po::bool_switch(), "print only results and errors")
    ("json", po::bool_switch(), "print the result as JSON on stdout")
    ("no-progress", po::bool_switch(), "never draw progress bars")
    ("help,h", po::bool_switch(), "show this help");
  // clang-format on
}

// Global options that take a value, so the command-word scanner can skip it.
bool global_takes_value(std::string_view arg) { return arg == "--config"; }

void print_overview(std::ostream& out) {
  out << "airlock " << k_airlock_version
      << " - carry container-image analyses across an air gap into Anchore Enterprise\n\n"
         "usage: airlock [GLOBAL OPTIONS] COMMAND [ARGS]\n\nCommands:\n";
  std::size_t width = 0;
  for (const auto& c : command_table()) width = std::max(width, c.name.size());
  for (const auto& c : command_table()) {
    out << "  " << c.name << std::string(width - c.name.size() + 2, ' ') << c.summary << '\n';
  }
  po::options_description globals("Global options");
  add_global_options(globals);
  globals.add_options()("version", "print the version and library versions");
  out << '\n' << globals << "\nRun 'airlock COMMAND --help' for a command's options and examples.\n"
      << "Exit codes: 0 ok, 1 operational error, 2 usage error, 3 verification failed, 4 partial.\n";
}

void print_command_help(std::ostream& out, const Command& command, const CommandOptions& options) {
  out << "usage: " << command.synopsis << "\n\n" << command.summary << "\n";
  if (!command.description.empty()) out << '\n' << command.description << '\n';
  if (!options.options.options().empty()) out << '\n' << options.options;
  po::options_description globals("Global options");
  add_global_options(globals);
  out << '\n' << globals;
  if (!command.examples.empty()) out << "\nExamples:\n" << command.examples;
}

// Finds the command named by the leading words of ARGS (global options may
// come before them). Removes the command words from ARGS.
const Command* find_command(std::vector<std::string>& args, std::string& unknown,
                            std::string& group) {
  std::vector<std::size_t> positions;
  std::string words;
  const Command* found = nullptr;
  std::size_t found_words = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.starts_with("-")) {
      if (global_takes_value(arg)) ++i;
      continue;
    }
    const std::string candidate = words.empty() ? arg : words + " " + arg;
    const Command* exact = nullptr;
    bool prefix = false;
    for (const auto& c : command_table()) {
      if (c.name == candidate) exact = &c;
      if (c.name.starts_with(candidate + " ")) prefix = true;
    }
    if (exact == nullptr && !prefix) {
      if (words.empty()) unknown = arg;
      break;
    }
    words = candidate;
    positions.push_back(i);
    if (exact != nullptr) {
      found = exact;
      found_words = positions.size();
    }
    if (!prefix) break;
  }
  if (found == nullptr) {
    group = words;
    return nullptr;
  }
  for (std::size_t k = found_words; k-- > 0;) {
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(positions[k]));
  }
  return found;
}

int fail(Output& out, const Error& error) {
  out.error(error);
  return static_cast<int>(exit_code_for(error.code()));
}

}  // namespace

int run_cli(const std::vector<std::string>& raw_args, std::ostream& out, std::ostream& err,
            const Environment& env, bool err_is_terminal) {
  std::vector<std::string> args = raw_args;
  std::string unknown, group;
  const Command* command = find_command(args, unknown, group);
  // --version names airlock's version unless a command takes it (analyze's
  // --version is the application version, as in AnchoreCTL).
  if (command == nullptr && std::find(args.begin(), args.end(), "--version") != args.end()) {
    print_version(out, std::find(args.begin(), args.end(), "--json") != args.end());
    return 0;
  }
  if (command == nullptr) {
    const bool wants_help =
        args.empty() || std::find_if(args.begin(), args.end(), [](const std::string& a) {
                          return a == "--help" || a == "-h" || a == "help";
                        }) != args.end();
    if (wants_help && unknown.empty() && group.empty()) {
      print_overview(out);
      return 0;
    }
    if (!unknown.empty() && unknown != "help") {
      err << "airlock: error: unknown command '" << unknown
          << "'; run 'airlock --help' for the list of commands\n";
      return static_cast<int>(ExitCode::usage);
    }
    if (!group.empty()) {
      err << "airlock: error: '" << group << "' needs a subcommand:";
      for (const auto& c : command_table()) {
        if (c.name.starts_with(group + " ")) err << "\n  airlock " << c.name << "  " << c.summary;
      }
      err << '\n';
      return static_cast<int>(ExitCode::usage);
    }
    print_overview(wants_help ? out : err);
    return wants_help ? 0 : static_cast<int>(ExitCode::usage);
  }

  CommandOptions options;
  if (command->declare) command->declare(options);
  po::options_description all;
  all.add(options.options);
  po::options_description globals;
  add_global_options(globals);
  all.add(globals);

  po::variables_map vm;
  const std::string prefix = "airlock " + std::string(command->name);
  try {
    po::store(po::command_line_parser(args)
                  .options(all)
                  .positional(options.positional)
                  .style(po::command_line_style::default_style &
                         ~po::command_line_style::allow_guessing)
                  .run(),
              vm);
    if (vm.count("help") && vm["help"].as<bool>()) {
      print_command_help(out, *command, options);
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    err << "airlock: error: " << prefix << ": " << e.what() << "; see '" << prefix << " --help'\n";
    return static_cast<int>(ExitCode::usage);
  }

  GlobalOptions global;
  if (vm.count("config")) global.config_file = vm["config"].as<std::string>();
  if (vm["quiet"].as<bool>() && vm["verbose"].as<bool>()) {
    err << "airlock: error: -q and -v contradict each other; pass one\n";
    return static_cast<int>(ExitCode::usage);
  }
  if (vm["quiet"].as<bool>()) global.verbosity = Verbosity::quiet;
  if (vm["verbose"].as<bool>()) global.verbosity = Verbosity::verbose;
  global.json = vm["json"].as<bool>();
  global.no_progress = vm["no-progress"].as<bool>();

  Output output(out, err, global.verbosity, global.json, !global.no_progress, err_is_terminal);
  CommandContext context{global, output, env, vm};
  try {
    const Status status = command->run(context);
    if (!status) return fail(output, status.error());
  } catch (const std::exception& e) {
    // Libraries that throw are wrapped where they are called; reaching here
    // is a bug, but still a one-line message rather than a crash.
    return fail(output, Error(ErrorCode::internal, std::string("unexpected failure: ") + e.what()));
  }
  return 0;
}

}  // namespace airlock::cli
