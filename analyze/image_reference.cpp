#include "analyze/image_reference.hpp"

#include "crypto/sha256.hpp"

namespace airlock {

namespace {

bool valid_repository(std::string_view repo) {
  if (repo.empty() || repo.size() > 255) return false;
  std::size_t start = 0;
  while (start <= repo.size()) {
    std::size_t slash = repo.find('/', start);
    if (slash == std::string_view::npos) slash = repo.size();
    const std::string_view part = repo.substr(start, slash - start);
    if (part.empty()) return false;
    for (char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (!std::isalnum(static_cast<unsigned char>(part.front())) ||
        !std::isalnum(static_cast<unsigned char>(part.back()))) {
      return false;
    }
    start = slash + 1;
  }
  return true;
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  for (char c : tag) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  }
  return tag.front() != '.' && tag.front() != '-';
}

}  // namespace

std::string ImageReference::to_string() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageReference> parse_image_reference(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return Error(ErrorCode::usage, "invalid image reference '" + std::string(text.substr(0, 300)) +
                                       "': " + std::string(why));
  };
  if (text.empty()) return bad("it is empty");
  ImageReference ref;
  std::string_view rest = text;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!Sha256Digest::parse(ref.digest).ok() || !ref.digest.starts_with("sha256:")) {
      return bad("the digest must be sha256:<64 hex digits>");
    }
  }
  const auto last_slash = rest.rfind('/');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!valid_tag(ref.tag)) return bad("the tag is not valid");
  }
  const auto first_slash = rest.find('/');
  const std::string_view first = rest.substr(0, first_slash);
  if (first_slash != std::string_view::npos &&
      (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
       first == "localhost")) {
    ref.registry = first;
    rest = rest.substr(first_slash + 1);
  } else {
    ref.registry = "docker.io";
  }
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") ref.registry = "docker.io";
  ref.repository = rest;
  if (ref.registry == "docker.io" && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (!valid_repository(ref.repository)) {
    return bad("the repository name may hold only a-z, 0-9, '.', '_', '-' and '/'");
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

}  // namespace airlock
