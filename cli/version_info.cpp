#include "cli/version_info.hpp"

#include <openssl/crypto.h>
#include <sodium.h>

#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace airlock::cli {

const char* const k_airlock_version = AIRLOCK_VERSION;

void print_version(std::ostream& out, bool json) {
  const std::string boost = std::to_string(BOOST_VERSION / 100000) + "." +
                            std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                            std::to_string(BOOST_VERSION % 100);
  const std::string nlohmann = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                               std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                               std::to_string(NLOHMANN_JSON_VERSION_PATCH);
  const nlohmann::ordered_json libraries = {
      {"openssl", OpenSSL_version(OPENSSL_VERSION)},
      {"libsodium", sodium_version_string()},
      {"boost", boost},
      {"nlohmann_json", nlohmann},
      {"yaml-cpp", AIRLOCK_YAML_CPP_VERSION},
  };
  if (json) {
    const nlohmann::ordered_json doc = {
        {"version", k_airlock_version}, {"revision", k_git_revision}, {"libraries", libraries}};
    out << doc.dump(2) << '\n';
    return;
  }
  out << "airlock " << k_airlock_version << " (git " << k_git_revision << ")\n";
  for (const auto& [name, version] : libraries.items()) {
    out << "  " << name << ": " << version.get<std::string>() << '\n';
  }
}

}  // namespace airlock::cli
