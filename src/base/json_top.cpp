#include "base/json_top.hpp"

#include <locale.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sotto::base {

struct JsonReader {
  std::string_view s;
  std::size_t i = 0;

  bool at_end() const { return i >= s.size(); }
  unsigned char peek() const { return static_cast<unsigned char>(s[i]); }

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }

  bool hex4(std::uint32_t& out) {
    if (s.size() - i < 4) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i++];
      std::uint32_t d;
      if (c >= '0' && c <= '9') d = static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<std::uint32_t>(c - 'A' + 10);
      else return false;
      out = out << 4 | d;
    }
    return true;
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // The continuation bytes of one UTF-8 sequence whose lead byte was just read: `n` more
  // bytes, the first within [lo, hi], the rest within [0x80, 0xBF] (RFC 3629's table).
  bool continuation(int n, unsigned char lo, unsigned char hi) {
    if (s.size() - i < static_cast<std::size_t>(n)) return false;
    for (int k = 0; k < n; ++k) {
      unsigned char c = static_cast<unsigned char>(s[i++]);
      if (c < (k == 0 ? lo : 0x80) || c > (k == 0 ? hi : 0xBF)) return false;
    }
    return true;
  }

  // At the opening quote. Decodes into `out` only when the string has escapes (then
  // `escaped` is set); a string without escapes is its own text.
  bool string(std::string* out, bool* escaped) {
    ++i;  // the quote
    std::size_t start = i;
    bool esc = false;
    while (true) {
      if (at_end()) return false;
      unsigned char c = peek();
      if (c == '"') {
        if (!esc && out) out->clear();  // the input's own text is the value
        ++i;
        if (escaped) *escaped = esc;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!esc && out) out->assign(s.substr(start, i - start));
        esc = true;
        ++i;
        if (at_end()) return false;
        char e = s[i++];
        char plain = 0;
        switch (e) {
          case '"': plain = '"'; break;
          case '\\': plain = '\\'; break;
          case '/': plain = '/'; break;
          case 'b': plain = '\b'; break;
          case 'f': plain = '\f'; break;
          case 'n': plain = '\n'; break;
          case 'r': plain = '\r'; break;
          case 't': plain = '\t'; break;
          case 'u': {
            std::uint32_t cp;
            if (!hex4(cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              std::uint32_t low;
              if (s.size() - i < 2 || s[i] != '\\' || s[i + 1] != 'u') return false;
              i += 2;
              if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            if (out) put_utf8(*out, cp);
            continue;
          }
          default:
            return false;
        }
        if (out) *out += plain;
        continue;
      }
      std::size_t before = i;
      ++i;
      if (c >= 0x80) {
        bool ok;
        if (c >= 0xC2 && c <= 0xDF) ok = continuation(1, 0x80, 0xBF);
        else if (c == 0xE0) ok = continuation(2, 0xA0, 0xBF);
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) ok = continuation(2, 0x80, 0xBF);
        else if (c == 0xED) ok = continuation(2, 0x80, 0x9F);
        else if (c == 0xF0) ok = continuation(3, 0x90, 0xBF);
        else if (c >= 0xF1 && c <= 0xF3) ok = continuation(3, 0x80, 0xBF);
        else if (c == 0xF4) ok = continuation(3, 0x80, 0x8F);
        else ok = false;
        if (!ok) return false;
      }
      if (esc && out) out->append(s.substr(before, i - before));
    }
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  bool number(JsonValue& v) {
    std::size_t start = i;
    bool negative = false, integral = true;
    if (s[i] == '-') {
      negative = true;
      ++i;
    }
    if (at_end() || !digit(s[i])) return false;
    if (s[i] == '0') ++i;
    else
      while (!at_end() && digit(s[i])) ++i;
    if (!at_end() && s[i] == '.') {
      integral = false;
      ++i;
      if (at_end() || !digit(s[i])) return false;
      while (!at_end() && digit(s[i])) ++i;
    }
    if (!at_end() && (s[i] == 'e' || s[i] == 'E')) {
      integral = false;
      ++i;
      if (!at_end() && (s[i] == '+' || s[i] == '-')) ++i;
      if (at_end() || !digit(s[i])) return false;
      while (!at_end() && digit(s[i])) ++i;
    }
    v.kind = JsonValue::Kind::Number;
    v.raw = s.substr(start, i - start);
    if (integral && !negative) {
      std::uint64_t x = 0;
      bool fits = true;
      for (char c : v.raw) {
        std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (x > (UINT64_MAX - d) / 10) {
          fits = false;
          break;
        }
        x = x * 10 + d;
      }
      if (fits) {
        v.unsigned_value = x;
        return true;
      }
    }
    if (integral && negative && v.raw.size() <= 19) return true;  // fits a signed 64-bit integer
    // Anything else is a double, as nlohmann reads it: one that overflows is refused.
    static const locale_t c_locale = [] {
      locale_t l = newlocale(LC_ALL_MASK, "C", nullptr);
      if (!l) {  // only out of memory: no number could be read safely
        std::perror("sotto: newlocale(C) failed");
        std::abort();
      }
      return l;
    }();
    std::string text(v.raw);
    double d = strtod_l(text.c_str(), nullptr, c_locale);
    return std::isfinite(d);
  }

  bool literal(std::string_view word) {
    if (s.substr(i, word.size()) != word) return false;
    i += word.size();
    return true;
  }

  // A string, number or literal at i (after whitespace).
  bool scalar(JsonValue& v) {
    std::size_t start = i;
    char c = s[i];
    if (c == '"') {
      v.kind = JsonValue::Kind::String;
      if (!string(&v.decoded_, &v.escaped_)) return false;
      v.raw = s.substr(start, i - start);
      return true;
    }
    if (c == '-' || digit(c)) return number(v);
    if (c == 't' || c == 'f') {
      v.kind = JsonValue::Kind::Bool;
      v.boolean = c == 't';
      if (!literal(c == 't' ? "true" : "false")) return false;
    } else if (c == 'n') {
      v.kind = JsonValue::Kind::Null;
      if (!literal("null")) return false;
    } else {
      return false;
    }
    v.raw = s.substr(start, i - start);
    return true;
  }

  // A key and its colon inside a nested object (checked, not kept).
  bool nested_key() {
    if (at_end() || s[i] != '"' || !string(nullptr, nullptr)) return false;
    ws();
    if (at_end() || s[i] != ':') return false;
    ++i;
    ws();
    return true;
  }

  // An object or array at i, checked without recursion (any depth).
  bool container(JsonValue& v) {
    std::size_t start = i;
    v.kind = s[i] == '{' ? JsonValue::Kind::Object : JsonValue::Kind::Array;
    std::string stack;
    enum { Open, Value, After } state = Open;
    while (true) {
      if (state == Open) {
        char open = s[i++];
        stack += open;
        ws();
        if (at_end()) return false;
        if (s[i] == (open == '{' ? '}' : ']')) {
          ++i;
          stack.pop_back();
          state = After;
          continue;
        }
        if (open == '{' && !nested_key()) return false;
        state = Value;
      } else if (state == Value) {
        if (at_end()) return false;
        if (s[i] == '{' || s[i] == '[') {
          state = Open;
          continue;
        }
        JsonValue ignored;
        if (!scalar(ignored)) return false;
        state = After;
      } else {
        if (stack.empty()) break;
        ws();
        if (at_end()) return false;
        char top = stack.back();
        if (s[i] == ',') {
          ++i;
          ws();
          if (top == '{' && !nested_key()) return false;
          state = Value;
        } else if (s[i] == (top == '{' ? '}' : ']')) {
          ++i;
          stack.pop_back();
        } else {
          return false;
        }
      }
    }
    v.raw = s.substr(start, i - start);
    return true;
  }

  bool value(JsonValue& v) {
    if (at_end()) return false;
    if (s[i] == '{' || s[i] == '[') return container(v);
    return scalar(v);
  }
};

std::optional<JsonTop> JsonTop::parse(std::string_view text) {
  JsonReader r{text};
  if (text.substr(0, 3) == "\xEF\xBB\xBF") r.i = 3;  // a byte order mark, which nlohmann skips
  r.ws();
  if (r.at_end() || text[r.i] != '{') return std::nullopt;
  ++r.i;
  JsonTop out;
  out.members_.reserve(8);
  r.ws();
  if (r.at_end()) return std::nullopt;
  if (text[r.i] != '}') {
    while (true) {
      if (r.at_end() || text[r.i] != '"') return std::nullopt;
      std::string key;
      bool escaped = false;
      std::size_t start = r.i;
      if (!r.string(&key, &escaped)) return std::nullopt;
      if (!escaped) key.assign(text.substr(start + 1, r.i - start - 2));
      r.ws();
      if (r.at_end() || text[r.i] != ':') return std::nullopt;
      ++r.i;
      r.ws();
      JsonValue v;
      if (!r.value(v)) return std::nullopt;
      out.members_.emplace_back(std::move(key), std::move(v));
      r.ws();
      if (r.at_end()) return std::nullopt;
      if (text[r.i] == ',') {
        ++r.i;
        r.ws();
        continue;
      }
      if (text[r.i] == '}') break;
      return std::nullopt;
    }
  }
  ++r.i;  // the closing brace
  r.ws();
  if (!r.at_end()) return std::nullopt;
  return out;
}

const JsonValue* JsonTop::find(std::string_view key) const {
  for (auto it = members_.rbegin(); it != members_.rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

}  // namespace sotto::base
