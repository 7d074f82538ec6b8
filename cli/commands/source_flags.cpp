// Flags shared by every command that reads an image (sbom, analyze …).
#include "cli/commands/commands.hpp"

namespace airlock::cli {

void declare_source_flags(CommandOptions& o) {
  o.options.add_options()
    ("platform", po::value<std::string>()->value_name("OS/ARCH[/VARIANT]"),
     "platform to pick from a multi-platform image (default: this machine's)")
    ("insecure-registry", po::value<std::vector<std::string>>()->value_name("HOST[:PORT]"),
     "registry that may be reached over plain HTTP or unverified TLS (repeatable; loopback "
     "registries always may)")
    ("source-order", po::value<std::string>()->value_name("LIST"),
     "where a bare image reference is looked for (default docker,podman,registry)");
}

Result<SourceOptions> source_options_from(const CommandContext& ctx) {
  SourceOptions options;
  if (auto p = option<std::string>(ctx.args, "platform")) {
    AIRLOCK_TRY_ASSIGN(Platform platform, parse_platform(*p));
    options.platform = platform;
  }
  options.registry.insecure_hosts =
      option<std::vector<std::string>>(ctx.args, "insecure-registry").value_or(std::vector<std::string>{});
  if (auto order = option<std::string>(ctx.args, "source-order")) {
    AIRLOCK_TRY_ASSIGN(options.pull_order, parse_pull_order(*order));
  }
  if (auto host = ctx.env.get("DOCKER_HOST")) options.docker_host = *host;
  if (auto host = ctx.env.get("CONTAINER_HOST")) {
    options.podman_host = *host;
  } else if (auto run = ctx.env.get("XDG_RUNTIME_DIR");
             run && std::filesystem::exists(std::filesystem::path(*run) / "podman/podman.sock")) {
    options.podman_host = "unix://" + (std::filesystem::path(*run) / "podman/podman.sock").string();
  }
  // Where Podman, skopeo and Docker keep registry logins, in their order.
  if (auto f = ctx.env.get("REGISTRY_AUTH_FILE")) options.registry.auth_files.emplace_back(*f);
  if (auto run = ctx.env.get("XDG_RUNTIME_DIR")) {
    options.registry.auth_files.push_back(std::filesystem::path(*run) / "containers/auth.json");
  }
  if (auto docker = ctx.env.get("DOCKER_CONFIG")) {
    options.registry.auth_files.push_back(std::filesystem::path(*docker) / "config.json");
  } else if (auto home = ctx.env.get("HOME")) {
    options.registry.auth_files.push_back(std::filesystem::path(*home) / ".docker/config.json");
  }
  return options;
}

}  // namespace airlock::cli
