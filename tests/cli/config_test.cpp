#include "cli/config.hpp"

#include <gtest/gtest.h>

#include <set>

#include "base/file.hpp"
#include "tests/support/matchers.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock::cli {
namespace {

using airlock::testing::TempDir;

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    std::filesystem::create_directories(m_dir / "home/.config");
    std::filesystem::create_directories(m_dir / "work");
    m_env.set("HOME", (m_dir / "home").string());
  }
  Result<Config> load(std::map<std::string, std::string, std::less<>> flags = {},
                      std::optional<std::filesystem::path> file = std::nullopt) {
    ConfigInputs inputs;
    inputs.env = &m_env;
    inputs.flags = std::move(flags);
    inputs.config_file = std::move(file);
    inputs.cwd = m_dir / "work";
    return Config::load(inputs);
  }
  void write(const std::string& relative, const std::string& text) {
    ASSERT_OK(write_file_atomically(m_dir / relative, text));
  }

  TempDir m_dir;
  MapEnvironment m_env;
};

TEST_F(ConfigTest, DefaultsApplyWhenNothingIsSet) {
  auto config = load();
  ASSERT_OK(config);
  EXPECT_EQ(config->get("store"), "./airlock-store");
  EXPECT_EQ(config->entry("store").origin, ConfigOrigin::default_value);
  EXPECT_EQ(config->get("state"), (m_dir / "home/.local/state/airlock").string());
  EXPECT_FALSE(config->get("url"));
  EXPECT_EQ(config->entry("url").origin, ConfigOrigin::none);
}

TEST_F(ConfigTest, PrecedenceIsFlagThenEnvThenAirlockFileThenAnchorectlFile) {
  write("home/.anchorectl.yaml",
        "url: http://from-anchorectl\nusername: actl-user\npassword: actl-pass\n"
        "account: actl-account\nstore: ignored-here\nunrelated_key: [1, 2]\n");
  write("work/airlock.yaml", "url: http://from-airlock-file\nusername: file-user\nstore: /s\n");
  m_env.set("ANCHORECTL_URL", "http://from-env");
  m_env.set("ANCHORECTL_USERNAME", "env-user");
  auto config = load({{"url", "http://from-flag"}});
  ASSERT_OK(config);
  EXPECT_EQ(config->get("url"), "http://from-flag");
  EXPECT_EQ(config->entry("url").origin, ConfigOrigin::flag);
  EXPECT_EQ(config->get("username"), "env-user");
  EXPECT_EQ(config->entry("username").source, "ANCHORECTL_USERNAME");
  EXPECT_EQ(config->get("store"), "/s");
  EXPECT_EQ(config->entry("store").origin, ConfigOrigin::airlock_file);
  EXPECT_EQ(config->get("password"), "actl-pass");
  EXPECT_EQ(config->entry("password").origin, ConfigOrigin::anchorectl_file);
  EXPECT_EQ(config->get("account"), "actl-account");
  ASSERT_EQ(config->files_read().size(), 2u);
}

TEST_F(ConfigTest, AnchorectlFileSearchOrder) {
  write("home/.config/anchorectl.yaml", "url: http://xdg\n");
  EXPECT_EQ(load()->get("url"), "http://xdg");
  write("home/.anchorectl.yaml", "url: http://home\n");
  EXPECT_EQ(load()->get("url"), "http://home");
  write("work/.anchorectl.yaml", "url: http://cwd\n");
  EXPECT_EQ(load()->get("url"), "http://cwd");
}

TEST_F(ConfigTest, ExplicitConfigFileMustExistAndBeValid) {
  EXPECT_ERROR_CODE(load({}, m_dir / "missing.yaml"), ErrorCode::usage);
  write("a.yaml", "stor: /typo\n");
  const auto typo = load({}, m_dir / "a.yaml");
  EXPECT_ERROR_CODE(typo, ErrorCode::usage);
  EXPECT_NE(typo.error().message().find("unknown key 'stor'"), std::string::npos);
  write("b.yaml", "url: [not, scalar]\n");
  EXPECT_ERROR_CODE(load({}, m_dir / "b.yaml"), ErrorCode::usage);
  write("c.yaml", "store: /x\nurl: [unclosed, list\n");
  const auto broken = load({}, m_dir / "c.yaml");
  EXPECT_ERROR_CODE(broken, ErrorCode::usage);
  EXPECT_NE(broken.error().message().find("line"), std::string::npos);
  write("d.yaml", "- a list\n- not a map\n");
  EXPECT_ERROR_CODE(load({}, m_dir / "d.yaml"), ErrorCode::usage);
  write("e.yaml", "");
  ASSERT_OK(load({}, m_dir / "e.yaml"));
  m_env.set("AIRLOCK_CONFIG", (m_dir / "missing-too.yaml").string());
  EXPECT_ERROR_CODE(load(), ErrorCode::usage);
}

TEST_F(ConfigTest, HugeConfigFileIsRefused) {
  write("huge.yaml", "url: " + std::string(2 * 1024 * 1024, 'x') + "\n");
  EXPECT_ERROR_CODE(load({}, m_dir / "huge.yaml"), ErrorCode::invalid_input);
}

TEST_F(ConfigTest, EnvironmentAndXdgPaths) {
  m_env.set("XDG_STATE_HOME", "/xdg-state");
  m_env.set("AIRLOCK_STORE", "/env-store");
  auto config = load();
  EXPECT_EQ(config->get("state"), "/xdg-state/airlock");
  EXPECT_EQ(config->get("store"), "/env-store");
  EXPECT_EQ(config->entry("store").origin, ConfigOrigin::environment);
}

TEST(ConfigKeysTest, EveryKeyHasADistinctVariable) {
  std::set<std::string_view> names, envs;
  for (const auto& key : k_config_keys) {
    EXPECT_TRUE(names.insert(key.name).second) << key.name;
    EXPECT_TRUE(envs.insert(key.env).second) << key.env;
    EXPECT_FALSE(key.description.empty());
  }
  EXPECT_EQ(mask_secret("hunter2"), "********");
}

}  // namespace
}  // namespace airlock::cli
