// Black-box tests of the real airlock binary: parsing, help, exit codes, keys,
// config precedence as the user sees it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace airlock {
namespace {

using airlock::testing::ProcessOptions;
using airlock::testing::run_airlock;
using airlock::testing::TempDir;

// An environment with no inherited settings, so the user's own config does
// not leak into the tests.
ProcessOptions isolated(const TempDir& dir) {
  ProcessOptions options;
  options.env["HOME"] = dir.path().string();
  options.unset_env = {"ANCHORECTL_URL", "ANCHORECTL_USERNAME", "ANCHORECTL_PASSWORD",
                       "ANCHORECTL_ACCOUNT", "AIRLOCK_STORE", "AIRLOCK_STATE", "AIRLOCK_CONFIG",
                       "XDG_CONFIG_HOME", "XDG_STATE_HOME"};
  options.cwd = dir.path();
  return options;
}

TEST(CliTest, VersionNamesRevisionAndLibraries) {
  const auto r = run_airlock({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("airlock 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(git "), std::string::npos);
  EXPECT_NE(r.out.find("libsodium"), std::string::npos);
  EXPECT_NE(r.out.find("openssl"), std::string::npos);
  const auto j = run_airlock({"--version", "--json"});
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_TRUE(doc.contains("revision"));
  EXPECT_TRUE(doc["libraries"].contains("openssl"));
}

TEST(CliTest, HelpListsCommandsAndExitCodes) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, {"-h"}, {"help"}, {}}) {
    const auto r = run_airlock(args);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("keygen"), std::string::npos);
    EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
}

TEST(CliTest, CommandHelpHasOptionsAndExamples) {
  const auto r = run_airlock({"keygen", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: airlock keygen --out DIR"), std::string::npos);
  EXPECT_NE(r.out.find("--force"), std::string::npos);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  EXPECT_EQ(run_airlock({"key", "show", "--help"}).exit_code, 0);
  EXPECT_EQ(run_airlock({"config", "show", "-h"}).exit_code, 0);
}

TEST(CliTest, UsageErrorsExitTwoWithOneLineMessages) {
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"keygen"}, "'--out' is required"},
      {{"keygen", "--out"}, "--out"},
      {{"keygen", "--out", "x", "--bogus"}, "unrecognised option '--bogus'"},
      {{"key"}, "needs a subcommand"},
      {{"key", "show"}, "'--file' is required"},
      {{"key", "show", "a", "b"}, "too many positional options"},
      {{"-q", "-v", "config", "show"}, "contradict"},
      {{"-q"}, "usage: airlock"},
  };
  for (const auto& c : cases) {
    const auto r = run_airlock(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args.size() << " " << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliTest, KeygenAndKeyShowAgree) {
  TempDir dir;
  const auto gen = run_airlock({"keygen", "--out", (dir / "keys").string()});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string key_id = gen.out.substr(0, gen.out.find('\n'));
  EXPECT_EQ(key_id.size(), 32u);
  EXPECT_NE(gen.err.find("airlock.key"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "keys/airlock.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  for (const char* file : {"keys/airlock.pub", "keys/airlock.key"}) {
    const auto show = run_airlock({"key", "show", (dir / file).string()});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    EXPECT_EQ(show.out, key_id + "\n");
  }
  const auto json = run_airlock({"key", "show", (dir / "keys/airlock.pub").string(), "--json"});
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["key_id"], key_id);
  EXPECT_EQ(doc["kind"], "public");

  const auto quiet = run_airlock({"-q", "keygen", "--out", (dir / "k2").string(), "--json"});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_TRUE(quiet.err.empty()) << quiet.err;
  EXPECT_EQ(nlohmann::json::parse(quiet.out)["key_id"].get<std::string>().size(), 32u);
}

TEST(CliTest, KeygenNeverOverwritesWithoutForce) {
  TempDir dir;
  const std::string out = (dir / "keys").string();
  const auto first = run_airlock({"keygen", "--out", out});
  ASSERT_EQ(first.exit_code, 0);
  const auto again = run_airlock({"keygen", "--out", out});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--force"), std::string::npos);
  EXPECT_EQ(run_airlock({"key", "show", out + "/airlock.pub"}).out, first.out);
  const auto forced = run_airlock({"keygen", "--out", out, "--force"});
  EXPECT_EQ(forced.exit_code, 0);
  EXPECT_NE(forced.out, first.out);
}

TEST(CliTest, KeyShowRefusesOpenSecretKeysAndBadFiles) {
  TempDir dir;
  ASSERT_EQ(run_airlock({"keygen", "--out", dir.path().string()}).exit_code, 0);
  ASSERT_EQ(::chmod((dir / "airlock.key").c_str(), 0644), 0);
  const auto open = run_airlock({"key", "show", (dir / "airlock.key").string()});
  EXPECT_EQ(open.exit_code, 1);
  EXPECT_NE(open.err.find("chmod 600"), std::string::npos);

  const auto missing = run_airlock({"key", "show", (dir / "nope.pub").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.pub"), std::string::npos);

  const auto directory = run_airlock({"key", "show", dir.path().string()});
  EXPECT_EQ(directory.exit_code, 1);
  EXPECT_NE(directory.err.find("directory"), std::string::npos);
}

TEST(CliTest, ConfigShowReportsOriginsAndMasksSecrets) {
  TempDir dir;
  ProcessOptions options = isolated(dir);
  {
    std::ofstream(dir / ".anchorectl.yaml") << "url: http://actl\npassword: s3cret\n";
    std::ofstream(dir / "airlock.yaml") << "store: /from-file\n";
  }
  options.env["ANCHORECTL_USERNAME"] = "env-user";
  const auto r = run_airlock({"config", "show", "--account", "flag-account"}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("url: http://actl  # anchorectl-file"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("username: env-user  # environment ANCHORECTL_USERNAME"), std::string::npos);
  EXPECT_NE(r.out.find("account: flag-account  # flag --account"), std::string::npos);
  EXPECT_NE(r.out.find("store: /from-file  # config-file"), std::string::npos);
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << "password must be masked";

  const auto j = run_airlock({"config", "show", "--json"}, options);
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["password"]["value"], "********");
  EXPECT_EQ(doc["url"]["origin"], "anchorectl-file");

  const auto bad = run_airlock({"--config", (dir / "missing.yaml").string(), "config", "show"}, options);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("missing.yaml"), std::string::npos);
}

}  // namespace
}  // namespace airlock
