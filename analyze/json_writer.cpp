#include "analyze/json_writer.hpp"

#include <algorithm>
#include <ostream>
#include <string>

namespace airlock {

namespace {

// Length of the valid UTF-8 sequence at TEXT[i], or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return 0;
  }
  if (n == 2 && c < 0xc2) return 0;  // overlong
  return n;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_length(text, i);
      if (n == 0) {
        out += "\xef\xbf\xbd";
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

void JsonWriter::newline() {
  static const std::string k_indent = "\n" + std::string(64, ' ');
  std::size_t depth = std::min<std::size_t>(m_levels.size(), 64);
  m_out.write(k_indent.data(), static_cast<std::streamsize>(depth + 1));
}

void JsonWriter::separate() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_levels.empty()) return;
  if (!m_levels.back().empty) m_out.put(',');
  m_levels.back().empty = false;
  newline();
}

void JsonWriter::begin_object() {
  separate();
  m_out << '{';
  m_levels.push_back({true, true});
}

void JsonWriter::end_object() {
  const bool empty = m_levels.back().empty;
  m_levels.pop_back();
  if (!empty) newline();
  m_out << '}';
  if (m_levels.empty()) m_out << '\n';
}

void JsonWriter::begin_array() {
  separate();
  m_out << '[';
  m_levels.push_back({false, true});
}

void JsonWriter::end_array() {
  const bool empty = m_levels.back().empty;
  m_levels.pop_back();
  if (!empty) newline();
  m_out << ']';
}

// Writes TEXT as a string literal; plain text (the usual case) goes out in
// one write, without a copy.
static void write_string(std::ostream& out, std::string_view text) {
  bool plain = true;
  for (unsigned char c : text) {
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out.put('"');
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.put('"');
  } else {
    const std::string escaped = json_string(text);
    out.write(escaped.data(), static_cast<std::streamsize>(escaped.size()));
  }
}

void JsonWriter::key(std::string_view name) {
  separate();
  write_string(m_out, name);
  m_out.write(": ", 2);
  m_after_key = true;
}

void JsonWriter::value(std::string_view text) {
  separate();
  write_string(m_out, text);
}

void JsonWriter::value(std::int64_t number) {
  separate();
  m_out << number;
}

void JsonWriter::value(std::uint64_t number) {
  separate();
  m_out << number;
}

void JsonWriter::value(bool flag) {
  separate();
  m_out << (flag ? "true" : "false");
}

void JsonWriter::null() {
  separate();
  m_out << "null";
}

void JsonWriter::value(const nlohmann::ordered_json& document) {
  separate();
  m_out << document.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace airlock
