#pragma once
// Who is calling and in which account: checks a /v2 request's credentials
// (Basic user:password, Basic "_api_key:KEY", Bearer TOKEN) and resolves
// x-anchore-account with the engine's rules (anchore-api.md §3).

#include <map>
#include <optional>
#include <string>

#include "tests/fake_anchore/options.hpp"

namespace httplib {
struct Request;
}

namespace airlock::fake_anchore {

struct Caller {
  std::string username;
  std::string account;  // the user's own account
  bool admin = false;
};

class Authenticator {
 public:
  explicit Authenticator(const Options& options);

  // The caller, or nullopt when the credentials are missing or wrong (401).
  std::optional<Caller> authenticate(const httplib::Request& req) const;
  // The account REQ acts in, or nullopt when CALLER may not act there (403):
  // a caller's own account always; any other (even one that does not exist,
  // which the engine then treats as an empty namespace) only for admins.
  static std::optional<std::string> scope(const Caller& caller, const httplib::Request& req);
  // The account named by x-anchore-account, else the caller's.
  static std::string requested_account(const Caller& caller, const httplib::Request& req);

 private:
  std::optional<Caller> caller_for(const std::string& username) const;

  std::map<std::string, User> m_users;  // by name
  std::map<std::string, std::string> m_api_keys;
  std::map<std::string, std::string> m_bearer_tokens;
};

}  // namespace airlock::fake_anchore
