#include "tests/fake_anchore/errors.hpp"

#include <httplib.h>

namespace airlock::fake_anchore {

nlohmann::json error_body(int status, const std::string& message) {
  return {{"message", message}, {"httpcode", status}, {"detail", {{"error_codes", nlohmann::json::array()}}}};
}

Answer error_answer(int status, const std::string& message) { return {status, error_body(status, message)}; }

Answer not_found(const std::string& id) { return error_answer(404, "Resource " + id + " not found"); }

std::string forbidden_message(const std::string& account, const std::string& action) {
  return "Not authorized. Requires permissions: domain=" + account + " action=" + action + " target=*";
}

std::string status_title(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

nlohmann::json problem_body(int status, const std::string& detail) {
  return {{"type", "about:blank"}, {"title", status_title(status)}, {"status", status}, {"detail", detail}};
}

void reply(httplib::Response& res, const Answer& answer) { reply_json(res, answer.status, answer.body); }

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, error_body(status, message));
}

void reply_problem(httplib::Response& res, int status, const std::string& detail) {
  res.status = status;
  res.set_content(problem_body(status, detail).dump(), "application/problem+json");
}

void reply_unauthorized(httplib::Response& res) {
  res.status = 401;
  res.set_header("WWW-Authenticate", "basic realm=\"Authentication required\"");
  res.set_content("Unauthorized", "text/plain");
}

}  // namespace airlock::fake_anchore
