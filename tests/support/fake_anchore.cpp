#include "tests/support/fake_anchore.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <thread>
#include <utility>

namespace airlock::testing {
namespace {

constexpr auto start_timeout = std::chrono::seconds(10);
constexpr auto stop_timeout = std::chrono::seconds(5);
constexpr std::string_view banner = "listening on ";

int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reads the first line of FD, waiting until DEADLINE.
std::string read_line(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  while (line.find('\n') == std::string::npos) {
    using std::chrono::milliseconds;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("fake-anchore did not start within 10 s (read: '" + line + "')");
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("fake-anchore exited before listening (read: '" + line + "')");
    line.append(buffer, static_cast<std::size_t>(n));
  }
  return line.substr(0, line.find('\n'));
}

}  // namespace

std::string FakeAnchore::binary() { return FAKE_ANCHORE_BIN; }

FakeAnchore FakeAnchore::start(std::vector<std::string> extra_args) {
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const std::string program = binary();
  std::vector<std::string> args = {program, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  FakeAnchore fake;
  fake.m_pid = ::fork();
  if (fake.m_pid < 0) throw std::runtime_error("fork failed");
  if (fake.m_pid == 0) {
    ::dup2(out_pipe[1], 1);  // stderr stays the test's, so the fake's complaints show up there
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  fake.m_stdout = out_pipe[0];
  // From here on the destructor stops the child if anything throws.
  const std::string line = read_line(fake.m_stdout, std::chrono::steady_clock::now() + start_timeout);
  if (!line.starts_with(banner)) throw std::runtime_error("fake-anchore said '" + line + "'");
  fake.m_url = line.substr(banner.size());
  const auto colon = fake.m_url.rfind(':');
  fake.m_host = fake.m_url.substr(std::string_view("http://").size(), colon - std::string_view("http://").size());
  fake.m_port = std::stoi(fake.m_url.substr(colon + 1));
  return fake;
}

FakeAnchore::FakeAnchore(FakeAnchore&& other) noexcept { *this = std::move(other); }

FakeAnchore& FakeAnchore::operator=(FakeAnchore&& other) noexcept {
  if (this != &other) {
    stop();
    m_pid = std::exchange(other.m_pid, -1);
    m_stdout = std::exchange(other.m_stdout, -1);
    m_url = std::move(other.m_url);
    m_host = std::move(other.m_host);
    m_port = std::exchange(other.m_port, 0);
  }
  return *this;
}

FakeAnchore::~FakeAnchore() { stop(); }

int FakeAnchore::stop() {
  int result = -1;
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + stop_timeout;
    int status = 0;
    while (true) {
      const pid_t done = ::waitpid(m_pid, &status, WNOHANG);
      if (done == m_pid) {
        result = exit_status(status);
        break;
      }
      if (done < 0 && errno != EINTR) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(m_pid, SIGKILL);
        if (::waitpid(m_pid, &status, 0) == m_pid) result = exit_status(status);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    m_pid = -1;
  }
  if (m_stdout >= 0) {
    ::close(m_stdout);
    m_stdout = -1;
  }
  return result;
}

nlohmann::json FakeAnchore::state() const {
  httplib::Client client(m_host, m_port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  const auto res = client.Get("/_fake/state");
  if (!res) throw std::runtime_error("GET /_fake/state failed: " + httplib::to_string(res.error()));
  if (res->status != 200) throw std::runtime_error("GET /_fake/state: HTTP " + std::to_string(res->status));
  return nlohmann::json::parse(res->body);
}

}  // namespace airlock::testing
