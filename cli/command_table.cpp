#include "cli/commands/commands.hpp"

namespace airlock::cli {

const std::vector<Command>& command_table() {
  static const std::vector<Command> k_commands = {
      sbom_command(),
      analyze_command(),
      ls_command(),
      rm_command(),
      gc_command(),
      store_check_command(),
      export_command(),
      verify_command(),
      inspect_command(),
      receipt_apply_command(),
      asset_add_container_image_command(),
      asset_add_container_image_remote_command(),
      trust_add_command(),
      trust_ls_command(),
      trust_revoke_command(),
      import_command(),
      keygen_command(),
      key_show_command(),
      config_show_command(),
  };
  return k_commands;
}

}  // namespace airlock::cli
