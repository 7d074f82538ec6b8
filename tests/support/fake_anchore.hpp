#pragma once
// Test helper: runs the fake-anchore server (tests/fake_anchore) as a child
// process on a free port, for black-box tests of the import commands; reads
// its /_fake/state; stops it (SIGTERM, then SIGKILL) when done.

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace airlock::testing {

class FakeAnchore {
 public:
  // Starts the fake with EXTRA_ARGS (see `fake-anchore --help`) on
  // 127.0.0.1 and a free port; throws std::runtime_error if it does not say
  // "listening on …" within 10 s.
  static FakeAnchore start(std::vector<std::string> extra_args = {});

  FakeAnchore(FakeAnchore&& other) noexcept;
  FakeAnchore& operator=(FakeAnchore&& other) noexcept;
  FakeAnchore(const FakeAnchore&) = delete;
  FakeAnchore& operator=(const FakeAnchore&) = delete;
  ~FakeAnchore();

  const std::string& url() const { return m_url; }  // "http://127.0.0.1:PORT", no /v2
  const std::string& host() const { return m_host; }
  int port() const { return m_port; }
  pid_t pid() const { return m_pid; }

  // GET /_fake/state (no auth, never faulted); throws if it fails.
  nlohmann::json state() const;
  // SIGTERM, wait up to 5 s, then SIGKILL. Returns the exit status as
  // run_process reports it (128 + signal when killed); -1 if already stopped.
  int stop();

  // The fake-anchore binary (from the FAKE_ANCHORE_BIN compile definition).
  static std::string binary();

 private:
  FakeAnchore() = default;

  pid_t m_pid = -1;
  int m_stdout = -1;  // kept open so the fake never writes into a closed pipe
  std::string m_url;
  std::string m_host;
  int m_port = 0;
};

}  // namespace airlock::testing
