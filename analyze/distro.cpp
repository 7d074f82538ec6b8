#include "analyze/distro.hpp"

#include <regex>

namespace airlock {

namespace {

constexpr std::size_t k_max_release_file = 5 * 1024 * 1024;
constexpr std::string_view k_release_files[] = {"/etc/os-release", "/usr/lib/os-release", "/etc/debian_version",
                                                "/etc/redhat-release", "/etc/system-release-cpe",
                                                "/etc/alpine-release"};

std::string busybox_version(std::string_view, std::string_view content) {
  static const std::string marker = "BusyBox v";
  const auto at = content.find(marker);
  if (at == std::string_view::npos) return "";
  std::size_t end = at + marker.size();
  while (end < content.size() && (std::isalnum(static_cast<unsigned char>(content[end])) || content[end] == '.')) ++end;
  return std::string(content.substr(at + marker.size(), end - at - marker.size()));
}

std::string first_line(std::string_view text) {
  const auto eol = text.find('\n');
  std::string line(text.substr(0, eol));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

std::vector<FileRequest> distro_requests() {
  std::vector<FileRequest> requests;
  requests.push_back({[](std::string_view path) {
                        for (auto f : k_release_files) {
                          if (path == f) return true;
                        }
                        return false;
                      },
                      k_max_release_file, nullptr});
  requests.push_back({[](std::string_view path) { return path == "/bin/busybox"; }, 8 * 1024 * 1024, busybox_version});
  return requests;
}

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> fields;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string key(line.substr(0, eq));
    std::string_view raw = line.substr(eq + 1);
    std::string value;
    if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
      const char quote = raw.front();
      for (std::size_t i = 1; i < raw.size() && raw[i] != quote; ++i) {
        if (raw[i] == '\\' && quote == '"' && i + 1 < raw.size()) ++i;
        value += raw[i];
      }
    } else {
      value = raw;
    }
    fields[key] = value;
  }
  return fields;
}

Distro detect_distro(const ContentResolver& files) {
  Distro distro;
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    const CapturedFile* file = files.content(path);
    if (file == nullptr) continue;
    auto fields = parse_os_release(file->content);
    if (!fields.empty()) {
      distro.fields = std::move(fields);
      return distro;
    }
  }
  if (const CapturedFile* file = files.content("/etc/redhat-release")) {
    // "CentOS Linux release 7.9.2009 (Core)", "Red Hat Enterprise Linux Server release 7.3 (Maipo)"
    static const std::regex pattern(R"(^(.+?) release ([0-9][0-9.]*))");
    std::smatch m;
    const std::string line = first_line(file->content);
    if (std::regex_search(line, m, pattern)) {
      std::string name = m[1];
      std::string id = "rhel";
      for (const auto& [needle, value] : std::map<std::string, std::string>{
               {"CentOS", "centos"}, {"Rocky", "rocky"}, {"Alma", "almalinux"}, {"Fedora", "fedora"}, {"Oracle", "ol"}}) {
        if (name.find(needle) != std::string::npos) id = value;
      }
      distro.fields = {{"ID", id}, {"NAME", name}, {"VERSION_ID", m[2]}, {"PRETTY_NAME", line}};
      return distro;
    }
  }
  if (const CapturedFile* file = files.content("/etc/system-release-cpe")) {
    static const std::regex pattern(R"(cpe:/o:([^:]+):([^:]+):([^:\s]+))");
    std::smatch m;
    const std::string line = first_line(file->content);
    if (std::regex_search(line, m, pattern)) {
      distro.fields = {{"ID", m[2]}, {"NAME", m[2]}, {"VERSION_ID", m[3]}};
      return distro;
    }
  }
  if (const CapturedFile* file = files.content("/etc/debian_version")) {
    const std::string version = first_line(file->content);
    if (!version.empty()) {
      distro.fields = {{"ID", "debian"}, {"NAME", "Debian GNU/Linux"}, {"VERSION_ID", version.substr(0, version.find('.'))}};
      return distro;
    }
  }
  if (const CapturedFile* file = files.content("/etc/alpine-release")) {
    const std::string version = first_line(file->content);
    if (!version.empty()) {
      distro.fields = {{"ID", "alpine"}, {"NAME", "Alpine Linux"}, {"VERSION_ID", version}};
      return distro;
    }
  }
  if (const CapturedFile* file = files.content("/bin/busybox"); file != nullptr && !file->content.empty()) {
    distro.fields = {{"ID", "busybox"}, {"NAME", "busybox"}, {"VERSION_ID", file->content}};
  }
  return distro;
}

}  // namespace airlock
