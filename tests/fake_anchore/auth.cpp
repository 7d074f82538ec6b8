#include "tests/fake_anchore/auth.hpp"

#include <httplib.h>

#include <cctype>

#include "crypto/base64.hpp"

namespace airlock::fake_anchore {

Authenticator::Authenticator(const Options& options)
    : m_api_keys(options.api_keys), m_bearer_tokens(options.bearer_tokens) {
  for (const auto& user : options.users) m_users[user.name] = user;
}

std::optional<Caller> Authenticator::caller_for(const std::string& username) const {
  const auto it = m_users.find(username);
  if (it == m_users.end()) return std::nullopt;
  return Caller{it->second.name, it->second.account, it->second.admin};
}

std::optional<Caller> Authenticator::authenticate(const httplib::Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  const auto space = header.find(' ');
  if (space == std::string::npos) return std::nullopt;
  std::string scheme = header.substr(0, space);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto start = header.find_first_not_of(' ', space);
  if (start == std::string::npos) return std::nullopt;
  const std::string credentials = header.substr(start);
  if (scheme == "bearer") {
    const auto it = m_bearer_tokens.find(credentials);
    return it == m_bearer_tokens.end() ? std::nullopt : caller_for(it->second);
  }
  if (scheme != "basic") return std::nullopt;
  const auto decoded = from_base64(credentials);
  if (!decoded) return std::nullopt;
  const std::string pair(decoded->begin(), decoded->end());
  const auto colon = pair.find(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string name = pair.substr(0, colon);
  const std::string secret = pair.substr(colon + 1);
  if (name == "_api_key") {
    const auto it = m_api_keys.find(secret);
    return it == m_api_keys.end() ? std::nullopt : caller_for(it->second);
  }
  const auto it = m_users.find(name);
  if (it == m_users.end() || it->second.password != secret) return std::nullopt;
  return caller_for(name);
}

std::string Authenticator::requested_account(const Caller& caller, const httplib::Request& req) {
  const std::string header = req.get_header_value("x-anchore-account");
  return header.empty() ? caller.account : header;
}

std::optional<std::string> Authenticator::scope(const Caller& caller, const httplib::Request& req) {
  const std::string account = requested_account(caller, req);
  if (account == caller.account || caller.admin) return account;
  return std::nullopt;
}

}  // namespace airlock::fake_anchore
