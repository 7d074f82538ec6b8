#pragma once
// The subcommands, one factory each, and helpers they share.

#include <initializer_list>

#include "cli/command.hpp"
#include "analyze/source_spec.hpp"
#include "cli/config.hpp"

namespace airlock::cli {

Command keygen_command();
Command key_show_command();
Command config_show_command();
Command sbom_command();
Command analyze_command();
Command ls_command();
Command rm_command();
Command gc_command();
Command store_check_command();
Command export_command();
Command verify_command();
Command inspect_command();
Command trust_add_command();
Command trust_ls_command();
Command trust_revoke_command();
Command import_command();
Command receipt_apply_command();

// Declares --KEY flags for the named settings of the config key table.
void declare_config_flags(CommandOptions& options, std::initializer_list<std::string_view> keys);
// --platform and --insecure-registry, and the options they make (with the
// registry credential files named by the environment).
void declare_source_flags(CommandOptions& options);
Result<SourceOptions> source_options_from(const CommandContext& ctx);
// The effective config for a command, including the flags it declared.
Result<Config> load_config(const CommandContext& ctx);

}  // namespace airlock::cli
