// The lexer of the text format (spec 6.3): tokens, nested block comments, line comments and
// string literals with their escapes.
#include "text/lexer.hpp"

#include <span>

#include "common/utf8.hpp"

namespace lunatic::text {
namespace {

bool is_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '/':
    case ':':
    case '<':
    case '=':
    case '>':
    case '?':
    case '@':
    case '\\':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
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

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> tokens;
    while (true) {
      TRY(skip_space());
      Token tok;
      tok.line = line_;
      tok.column = column();
      size_t start = pos_;
      if (pos_ >= src_.size()) {
        tok.kind = TokenKind::Eof;
        tokens.push_back(tok);
        return tokens;
      }
      char c = src_[pos_];
      if (c == '(') {
        tok.kind = TokenKind::LParen;
        ++pos_;
      } else if (c == ')') {
        tok.kind = TokenKind::RParen;
        ++pos_;
      } else if (c == '"') {
        TRY(scan_string(tok));
        tok.kind = TokenKind::String;
      } else if (is_idchar(static_cast<unsigned char>(c))) {
        while (pos_ < src_.size() && is_idchar(static_cast<unsigned char>(src_[pos_]))) ++pos_;
        tok.kind = classify(src_.substr(start, pos_ - start));
      } else {
        return error_here(tok, "unknown operator");
      }
      tok.text = src_.substr(start, pos_ - start);
      // A token directly followed by a string or identifier character is not separated:
      // the spec reserves such runs, so they are malformed.
      if (tok.kind != TokenKind::LParen && tok.kind != TokenKind::RParen && pos_ < src_.size() &&
          (src_[pos_] == '"' || is_idchar(static_cast<unsigned char>(src_[pos_])))) {
        return error_here(tok, "unknown operator");
      }
      tokens.push_back(tok);
    }
  }

 private:
  static TokenKind classify(std::string_view t) {
    char c = t[0];
    if (c == '$') return t.size() > 1 ? TokenKind::Id : TokenKind::Reserved;
    if (c >= 'a' && c <= 'z') return TokenKind::Keyword;
    if ((c >= '0' && c <= '9') || c == '+' || c == '-') return TokenKind::Number;
    return TokenKind::Reserved;
  }

  uint32_t column() const { return static_cast<uint32_t>(pos_ - line_start_ + 1); }

  Error error_here(const Token& tok, std::string msg) const {
    Token t = tok;
    t.line = line_;
    t.column = column();
    return error_at(t, std::move(msg));
  }

  void newline() {
    ++line_;
    line_start_ = pos_;
  }

  Result<void> skip_space() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t') {
        ++pos_;
      } else if (c == '\n' || c == '\r') {
        ++pos_;
        if (c == '\r' && pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
        newline();
      } else if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
      } else if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        TRY(skip_block_comment());
      } else {
        break;
      }
    }
    return {};
  }

  // Block comments nest; a depth counter keeps this iterative.
  Result<void> skip_block_comment() {
    Token start;
    start.line = line_;
    start.column = column();
    pos_ += 2;
    size_t depth = 1;
    while (depth > 0) {
      if (pos_ >= src_.size()) return error_at(start, "unclosed comment");
      char c = src_[pos_];
      if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        ++depth;
        pos_ += 2;
      } else if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ')') {
        --depth;
        pos_ += 2;
      } else if (c == '\n' || c == '\r') {
        ++pos_;
        if (c == '\r' && pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
        newline();
      } else {
        ++pos_;
      }
    }
    return {};
  }

  Result<void> scan_string(Token& tok) {
    ++pos_;
    while (true) {
      if (pos_ >= src_.size()) return error_at(tok, "unclosed string");
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '"') {
        ++pos_;
        return {};
      }
      if (c < 0x20 || c == 0x7F) return error_here(tok, "illegal control character in string");
      if (c == '\\') {
        TRY(scan_escape(tok));
        continue;
      }
      if (c >= 0x80) {
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (pos_ + len > src_.size() || !is_valid_utf8(src_.substr(pos_, len))) {
          return error_here(tok, "malformed UTF-8 encoding");
        }
        pos_ += len;
        continue;
      }
      ++pos_;
    }
  }

  Result<void> scan_escape(Token& tok) {
    ++pos_;
    if (pos_ >= src_.size()) return error_at(tok, "unclosed string");
    char c = src_[pos_];
    switch (c) {
      case 't':
      case 'n':
      case 'r':
      case '"':
      case '\'':
      case '\\': ++pos_; return {};
      case 'u': {
        if (pos_ + 1 >= src_.size() || src_[pos_ + 1] != '{') {
          return error_here(tok, "illegal escape");
        }
        pos_ += 2;
        uint32_t cp = 0;
        size_t digits = 0;
        while (pos_ < src_.size() && src_[pos_] != '}') {
          int h = hex_value(src_[pos_]);
          if (h < 0 && !(src_[pos_] == '_' && digits > 0)) return error_here(tok, "illegal escape");
          if (h >= 0) {
            cp = cp * 16 + static_cast<uint32_t>(h);
            ++digits;
            if (cp > 0x10FFFF) return error_here(tok, "illegal escape");
          }
          ++pos_;
        }
        if (pos_ >= src_.size() || digits == 0 || (cp >= 0xD800 && cp < 0xE000)) {
          return error_here(tok, "illegal escape");
        }
        ++pos_;
        return {};
      }
      default:
        if (pos_ + 1 < src_.size() && hex_value(c) >= 0 && hex_value(src_[pos_ + 1]) >= 0) {
          pos_ += 2;
          return {};
        }
        return error_here(tok, "illegal escape");
    }
  }

  std::string_view src_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view source) { return Lexer(source).run(); }

std::string decode_string(const Token& token) {
  std::string out;
  std::string_view s = token.text.substr(1, token.text.size() - 2);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '"': out += '"'; break;
      case '\'': out += '\''; break;
      case '\\': out += '\\'; break;
      case 'u': {
        uint32_t cp = 0;
        for (i += 2; s[i] != '}'; ++i) {
          if (s[i] != '_') cp = cp * 16 + static_cast<uint32_t>(hex_value(s[i]));
        }
        append_utf8(out, cp);
        break;
      }
      default:
        out += static_cast<char>(hex_value(c) * 16 + hex_value(s[i + 1]));
        ++i;
        break;
    }
  }
  return out;
}

Error error_at(const Token& token, std::string message) {
  return Error(Phase::Decode, std::move(message), Error::kNoOffset,
               std::to_string(token.line) + ":" + std::to_string(token.column));
}

}  // namespace lunatic::text
