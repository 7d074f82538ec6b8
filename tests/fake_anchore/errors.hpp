#pragma once
// The bodies fake-anchore answers with, in the shapes of anchore-api.md §7.1:
// shape 1 for business errors, shape 2 (RFC 7807) for routing and request
// validation, plain text for 401 — so clients meet every shape they must parse.

#include <nlohmann/json.hpp>

#include <string>

namespace httplib {
struct Response;
}

namespace airlock::fake_anchore {

// A status and its JSON body, as the stores answer (no HTTP types there).
struct Answer {
  int status = 200;
  nlohmann::json body;
};

// Shape 1: {"message","httpcode","detail":{"error_codes":[]}}.
nlohmann::json error_body(int status, const std::string& message);
Answer error_answer(int status, const std::string& message);
// Shape 1 404 for an unknown id, the engine's wording.
Answer not_found(const std::string& id);
std::string forbidden_message(const std::string& account, const std::string& action);

// Shape 2: {"type":"about:blank","title","status","detail"}.
nlohmann::json problem_body(int status, const std::string& detail);
std::string status_title(int status);

void reply(httplib::Response& res, const Answer& answer);
void reply_json(httplib::Response& res, int status, const nlohmann::json& body);
void reply_error(httplib::Response& res, int status, const std::string& message);
void reply_problem(httplib::Response& res, int status, const std::string& detail);
void reply_unauthorized(httplib::Response& res);

}  // namespace airlock::fake_anchore
