#include "import/anchore_error.hpp"

#include <nlohmann/json.hpp>

namespace airlock {

namespace {

std::string text_of(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  return value.dump();
}

// Printable, one line, bounded: an HTML page from a proxy must not flood the terminal.
std::string summarize(std::string_view raw) {
  std::string out;
  for (const char c : raw) {
    if (out.size() >= 200) {
      out += "…";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : (static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string anchore_error_message(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object()) {
    // Shape 1 (handler) and 3 (ApiErrorResponse) both carry "message".
    if (json.contains("message")) {
      std::string message = text_of(json["message"]);
      if (json.contains("detail") && json["detail"].is_object()) {
        const auto& detail = json["detail"];
        if (detail.contains("error_codes") && detail["error_codes"].is_array() && !detail["error_codes"].empty()) {
          message += " (" + detail["error_codes"].dump() + ")";
        }
      } else if (json.contains("detail") && json["detail"].is_string() && !json["detail"].get<std::string>().empty()) {
        message += ": " + json["detail"].get<std::string>();
      }
      return summarize(message);
    }
    // Shape 2 (framework, RFC 7807).
    if (json.contains("title") || json.contains("detail")) {
      std::string message = json.contains("title") ? text_of(json["title"]) : std::string();
      const std::string detail = json.contains("detail") ? text_of(json["detail"]) : std::string();
      if (!detail.empty() && detail != message) message += message.empty() ? detail : ": " + detail;
      return summarize(message);
    }
  }
  return summarize(body);
}

Error anchore_http_error(long status, std::string_view body, std::string_view what) {
  const std::string server = anchore_error_message(body);
  std::string message = std::string(what) + " failed: HTTP " + std::to_string(status);
  if (!server.empty()) message += ": " + server;
  ErrorCode code = ErrorCode::invalid_input;
  switch (status) {
    case 401:
      code = ErrorCode::unauthorized;
      message += " (check --username/--password or --api-key, ANCHORECTL_USERNAME/ANCHORECTL_PASSWORD)";
      break;
    case 403:
      code = ErrorCode::unauthorized;
      message += " (the user lacks a permission in that account; ask an Anchore admin, or check the account)";
      break;
    case 404: code = ErrorCode::not_found; break;
    case 409: code = ErrorCode::conflict; break;
    default:
      if (status >= 500 || status == 429) {
        code = ErrorCode::unavailable;
        message += " (the server kept failing; try again later)";
      }
      break;
  }
  return Error(code, message);
}

}  // namespace airlock
