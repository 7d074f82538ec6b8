#pragma once
// The subcommands, one factory each, and helpers they share.

#include <initializer_list>

#include "cli/command.hpp"
#include "cli/config.hpp"

namespace airlock::cli {

Command keygen_command();
Command key_show_command();
Command config_show_command();
Command sbom_command();

// Declares --KEY flags for the named settings of the config key table.
void declare_config_flags(CommandOptions& options, std::initializer_list<std::string_view> keys);
// The effective config for a command, including the flags it declared.
Result<Config> load_config(const CommandContext& ctx);

}  // namespace airlock::cli
