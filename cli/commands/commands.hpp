#pragma once
// The subcommands, one factory each, and helpers they share.

#include <initializer_list>

#include "cli/command.hpp"
#include "analyze/analysis.hpp"
#include "analyze/source_spec.hpp"
#include "import/anchore_client.hpp"
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
Command asset_add_container_image_command();
Command asset_add_container_image_remote_command();

// One analysis's settings, from the command line or a --batch entry.
struct AnalyzeFields {
  std::string image, app, version, asset, from, ref, account, annotations, dockerfile, type = "container", platform;
  bool layer_cache = true;
};
// Analyzes one image (either spelling of DESIGN §3) into the store at STORE_DIR.
Result<AnalysisResult> analyze_one(const AnalyzeFields& f, SourceOptions source_options,
                                   const std::filesystem::path& store_dir, unsigned threads, Progress* progress);

// How to reach Anchore Enterprise: --url, credentials (AnchoreCTL's
// settings), --account, TLS and retry flags.
struct AnchoreSettings {
  AnchoreConnection connection;
  RetryPolicy retry;
  std::string account;
};
void declare_anchore_flags(CommandOptions& options);
Result<AnchoreSettings> anchore_settings_from(const CommandContext& ctx, const Config& config);
// "500ms", "90s", "30m", "2h", or plain seconds; usage errors name FLAG.
Result<std::chrono::milliseconds> parse_duration(const std::string& text, std::string_view flag);

// Declares --KEY flags for the named settings of the config key table.
void declare_config_flags(CommandOptions& options, std::initializer_list<std::string_view> keys);
// --platform and --insecure-registry, and the options they make (with the
// registry credential files named by the environment).
void declare_source_flags(CommandOptions& options);
Result<SourceOptions> source_options_from(const CommandContext& ctx);
// The effective config for a command, including the flags it declared.
Result<Config> load_config(const CommandContext& ctx);

}  // namespace airlock::cli
