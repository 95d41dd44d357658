#include "delivery/metadata_extractor.h"

#include "common/utf8.h"

#include <simdjson.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

extern "C" {
#include <jq.h>
#include <jv.h>
}

namespace tarn::delivery {
namespace {

// ---------------------------------------------------------------------------------------------
// Lexing jq 1.6 query text, enough to find the object's keys and each key's expression.

enum class TokenKind { kIdent, kField, kVar, kFormat, kString, kNumber, kPunct };

struct Token {
  TokenKind kind;
  size_t begin = 0;  // Offsets into the query text.
  size_t end = 0;
  std::string text;           // Name (ident, field, var, format), punctuation, or decoded string.
  bool interpolated = false;  // A string with \( ... ).
  bool simple = true;         // A string with no \u escapes: the fast path may use it.
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }


class Lexer {
 public:
  explicit Lexer(std::string_view q) : q_(q) {}

  Status Run(std::vector<Token>* out) {
    while (true) {
      SkipSpace();
      if (i_ >= q_.size()) return Status::Ok();
      Token t;
      t.begin = i_;
      TARN_RETURN_IF_ERROR(Next(&t));
      t.end = i_;
      out->push_back(std::move(t));
    }
  }

 private:
  void SkipSpace() {
    while (i_ < q_.size()) {
      if (q_[i_] == '#') {
        while (i_ < q_.size() && q_[i_] != '\n') ++i_;
      } else if (std::isspace(static_cast<unsigned char>(q_[i_]))) {
        ++i_;
      } else {
        return;
      }
    }
  }

  std::string Ident() {
    size_t start = i_;
    while (true) {
      while (i_ < q_.size() && IsIdentChar(q_[i_])) ++i_;
      if (i_ + 2 < q_.size() && q_[i_] == ':' && q_[i_ + 1] == ':' && IsIdentStart(q_[i_ + 2])) {
        i_ += 2;
        continue;
      }
      return std::string(q_.substr(start, i_ - start));
    }
  }

  Status Next(Token* t) {
    char c = q_[i_];
    if (c == '"') return String(t);
    if (c == '.' && i_ + 1 < q_.size() && IsIdentStart(q_[i_ + 1])) {
      ++i_;
      t->kind = TokenKind::kField;
      while (i_ < q_.size() && IsIdentChar(q_[i_])) t->text.push_back(q_[i_++]);
      return Status::Ok();
    }
    if ((c == '$' || c == '@') && i_ + 1 < q_.size() && IsIdentStart(q_[i_ + 1])) {
      ++i_;
      t->kind = c == '$' ? TokenKind::kVar : TokenKind::kFormat;
      t->text = Ident();
      return Status::Ok();
    }
    if (IsIdentStart(c)) {
      t->kind = TokenKind::kIdent;
      t->text = Ident();
      return Status::Ok();
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i_ + 1 < q_.size() && std::isdigit(static_cast<unsigned char>(q_[i_ + 1])))) {
      t->kind = TokenKind::kNumber;
      while (i_ < q_.size() &&
             (std::isdigit(static_cast<unsigned char>(q_[i_])) || q_[i_] == '.' || q_[i_] == 'e' ||
              q_[i_] == 'E' ||
              ((q_[i_] == '+' || q_[i_] == '-') && (q_[i_ - 1] == 'e' || q_[i_ - 1] == 'E')))) {
        t->text.push_back(q_[i_++]);
      }
      return Status::Ok();
    }
    t->kind = TokenKind::kPunct;
    for (std::string_view op : {"?//=", "?//", "//=", "|=", "+=", "-=", "*=", "/=", "%=", "==",
                                "!=", "<=", ">=", "//", ".."}) {
      if (q_.substr(i_, op.size()) == op) {
        t->text = std::string(op);
        i_ += op.size();
        return Status::Ok();
      }
    }
    t->text = std::string(1, c);
    ++i_;
    return Status::Ok();
  }

  Status Unterminated(size_t start) const {
    return InvalidArgument("query: unterminated string starting at offset " +
                           std::to_string(start));
  }

  // A string literal; \( ... ) interpolations are skipped over (nested strings included).
  Status String(Token* t) {
    t->kind = TokenKind::kString;
    size_t start = i_++;
    while (true) {
      if (i_ >= q_.size()) return Unterminated(start);
      char c = q_[i_++];
      if (c == '"') return Status::Ok();
      if (c != '\\') {
        t->text.push_back(c);
        continue;
      }
      if (i_ >= q_.size()) return Unterminated(start);
      char e = q_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          t->text.push_back(e);
          break;
        case 'b':
          t->text.push_back('\b');
          break;
        case 'f':
          t->text.push_back('\f');
          break;
        case 'n':
          t->text.push_back('\n');
          break;
        case 'r':
          t->text.push_back('\r');
          break;
        case 't':
          t->text.push_back('\t');
          break;
        case 'u': {
          t->simple = false;
          uint32_t cp = 0;
          if (!Hex4(&cp))
            return InvalidArgument("query: bad \\u escape at offset " + std::to_string(i_));
          if (cp >= 0xD800 && cp < 0xDC00 && q_.substr(i_, 2) == "\\u") {
            size_t save = i_;
            i_ += 2;
            uint32_t low = 0;
            if (Hex4(&low) && low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              i_ = save;
            }
          }
          if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
          AppendUtf8(cp, &t->text);
          break;
        }
        case '(': {
          t->interpolated = true;
          TARN_RETURN_IF_ERROR(SkipInterpolation(start));
          break;
        }
        default:
          return InvalidArgument(std::string("query: invalid escape \\") + e + " at offset " +
                                 std::to_string(i_ - 2));
      }
    }
  }

  bool Hex4(uint32_t* cp) {
    if (i_ + 4 > q_.size()) return false;
    for (int k = 0; k < 4; ++k) {
      char h = q_[i_ + k];
      if (!std::isxdigit(static_cast<unsigned char>(h))) return false;
      *cp = *cp * 16 +
            (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    i_ += 4;
    return true;
  }

  Status SkipInterpolation(size_t start) {
    int depth = 1;
    while (i_ < q_.size()) {
      char c = q_[i_];
      if (c == '"') {
        Token inner;
        TARN_RETURN_IF_ERROR(String(&inner));
        continue;
      }
      if (c == '#') {
        SkipSpace();
        continue;
      }
      ++i_;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return Status::Ok();
    }
    return Unterminated(start);
  }

  std::string_view q_;
  size_t i_ = 0;
};

bool IsPunct(const Token& t, std::string_view p) {
  return t.kind == TokenKind::kPunct && t.text == p;
}

// ---------------------------------------------------------------------------------------------
// The fast path's program: per key, a pipeline of steps.

enum class Op {
  kField,     // .name / ."name" / .["name"]
  kIndex,     // .[n]
  kSplit,     // split("sep"), sep not empty
  kStrptime,  // strptime("fmt")
  kStrftime,  // strftime("fmt")
  kToString,  // tostring
  kDowncase,  // ascii_downcase
  kUpcase,    // ascii_upcase
};

struct Step {
  Op op;
  std::string arg;  // Field name, separator or format.
  int64_t index = 0;
};

// Parses one key's expression tokens as a pipeline of the fast path's steps; false when the
// expression is anything else (it then runs on libjq).
class PipelineParser {
 public:
  PipelineParser(const std::vector<Token>& t, size_t b, size_t e) : t_(t), i_(b), e_(e) {}

  bool Parse(std::vector<Step>* steps) {
    // One level of parentheses around the whole expression is common: ({a: (.x | f)}).
    if (e_ - i_ >= 2 && IsPunct(t_[i_], "(") && IsPunct(t_[e_ - 1], ")")) {
      ++i_;
      --e_;
    }
    if (i_ >= e_) return false;
    while (true) {
      if (!Term(steps)) return false;
      if (i_ == e_) return true;
      if (!IsPunct(t_[i_], "|")) return false;
      ++i_;
    }
  }

 private:
  bool Literal(std::string* out) {
    if (i_ >= e_ || t_[i_].kind != TokenKind::kString || t_[i_].interpolated || !t_[i_].simple ||
        !simdjson::validate_utf8(t_[i_].text.data(), t_[i_].text.size())) {
      return false;
    }
    *out = t_[i_++].text;
    return true;
  }

  // `[ "k" ]` or `[ n ]` / `[ -n ]` after a term.
  bool Bracket(std::vector<Step>* steps) {
    ++i_;  // '['
    Step step{Op::kField, "", 0};
    if (i_ < e_ && t_[i_].kind == TokenKind::kString) {
      if (!Literal(&step.arg)) return false;
    } else {
      bool negative = false;
      if (i_ < e_ && IsPunct(t_[i_], "-")) {
        negative = true;
        ++i_;
      }
      if (i_ >= e_ || t_[i_].kind != TokenKind::kNumber || t_[i_].text.size() > 9) return false;
      for (char c : t_[i_].text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      }
      step.op = Op::kIndex;
      step.index = std::stoll(t_[i_].text) * (negative ? -1 : 1);
      ++i_;
    }
    if (i_ >= e_ || !IsPunct(t_[i_], "]")) return false;
    ++i_;
    steps->push_back(std::move(step));
    return true;
  }

  bool Call(std::vector<Step>* steps) {
    const std::string& name = t_[i_].text;
    static const std::pair<std::string_view, Op> kNoArgs[] = {{"tostring", Op::kToString},
                                                              {"ascii_downcase", Op::kDowncase},
                                                              {"ascii_upcase", Op::kUpcase}};
    static const std::pair<std::string_view, Op> kOneArg[] = {
        {"split", Op::kSplit}, {"strptime", Op::kStrptime}, {"strftime", Op::kStrftime}};
    bool has_args = i_ + 1 < e_ && IsPunct(t_[i_ + 1], "(");
    if (!has_args) {
      for (const auto& [n, op] : kNoArgs) {
        if (name == n) {
          ++i_;
          steps->push_back({op, "", 0});
          return true;
        }
      }
      return false;
    }
    for (const auto& [n, op] : kOneArg) {
      if (name != n) continue;
      i_ += 2;
      Step step{op, "", 0};
      if (!Literal(&step.arg) || i_ >= e_ || !IsPunct(t_[i_], ")")) return false;
      ++i_;
      // split("") splits into characters, and strftime/strptime with an empty format fail:
      // libjq handles those.
      if (step.arg.empty() || step.arg.find('\0') != std::string::npos) return false;
      steps->push_back(std::move(step));
      return true;
    }
    return false;
  }

  bool Term(std::vector<Step>* steps) {
    if (i_ >= e_) return false;
    const Token& t = t_[i_];
    if (t.kind == TokenKind::kField) {
      steps->push_back({Op::kField, t.text, 0});
      ++i_;
    } else if (IsPunct(t, ".")) {
      ++i_;
      if (i_ < e_ && t_[i_].kind == TokenKind::kString) {
        Step step{Op::kField, "", 0};
        if (!Literal(&step.arg)) return false;
        steps->push_back(std::move(step));
      }
    } else if (t.kind == TokenKind::kIdent) {
      if (!Call(steps)) return false;
    } else {
      return false;
    }
    // Suffixes: .name, ."name", [ ... ].
    while (i_ < e_) {
      if (t_[i_].kind == TokenKind::kField) {
        steps->push_back({Op::kField, t_[i_].text, 0});
        ++i_;
      } else if (IsPunct(t_[i_], ".") && i_ + 1 < e_ && t_[i_ + 1].kind == TokenKind::kString) {
        ++i_;
        Step step{Op::kField, "", 0};
        if (!Literal(&step.arg)) return false;
        steps->push_back(std::move(step));
      } else if (IsPunct(t_[i_], "[")) {
        if (!Bracket(steps)) return false;
      } else {
        break;
      }
    }
    // `?` and anything else we did not consume make the expression libjq's.
    return i_ == e_ || IsPunct(t_[i_], "|");
  }

  const std::vector<Token>& t_;
  size_t i_;
  size_t e_;
};

// ---------------------------------------------------------------------------------------------
// The query's shape: `{ key: expr, ... }`.

struct KeyExpr {
  std::string key;
  std::string expr;         // jq text of the value expression.
  std::vector<Step> steps;  // The fast path's version of `expr`.
  bool fast = false;
};

// Builtins that reach outside the record (the server's environment, other inputs, its stderr)
// or stop the program.
const std::set<std::string, std::less<>>& ForbiddenBuiltins() {
  static const auto* names = new std::set<std::string, std::less<>>{"env",
                                                                    "input",
                                                                    "inputs",
                                                                    "input_filename",
                                                                    "input_line_number",
                                                                    "debug",
                                                                    "stderr",
                                                                    "halt",
                                                                    "halt_error",
                                                                    "get_search_list",
                                                                    "get_prog_origin",
                                                                    "get_jq_origin",
                                                                    "modulemeta",
                                                                    "$__prog_args"};
  return *names;
}

Status CheckBuiltins(const std::vector<Token>& tokens) {
  std::vector<std::string_view> open;  // Innermost bracket last.
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::kPunct) {
      if (t.text == "(" || t.text == "[" || t.text == "{") open.push_back(t.text);
      if ((t.text == ")" || t.text == "]" || t.text == "}") && !open.empty()) open.pop_back();
      continue;
    }
    bool name = t.kind == TokenKind::kIdent || t.kind == TokenKind::kVar;
    if (!name) continue;
    std::string full = t.kind == TokenKind::kVar ? "$" + t.text : t.text;
    if (full != "$ENV" && !ForbiddenBuiltins().count(full)) continue;
    // An identifier directly inside `{` after `{` or `,` is an object key, not a call.
    bool key = t.kind == TokenKind::kIdent && !open.empty() && open.back() == "{" && i > 0 &&
               (IsPunct(tokens[i - 1], "{") || IsPunct(tokens[i - 1], ","));
    if (!key) {
      return InvalidArgument("query: '" + full + "' at offset " + std::to_string(t.begin) +
                             " is not allowed in a metadata extraction query (it reaches outside "
                             "the record)");
    }
  }
  return Status::Ok();
}

Result<std::vector<KeyExpr>> ParseShape(std::string_view q) {
  std::vector<Token> tokens;
  TARN_RETURN_IF_ERROR(Lexer(q).Run(&tokens));
  auto not_object = [&](std::string why) {
    return InvalidArgument("query: must be one object construction {key: expression, ...}; " + why);
  };
  if (tokens.empty()) return not_object("the query is empty");
  if (!IsPunct(tokens[0], "{")) {
    return not_object("it starts with '" +
                      std::string(q.substr(tokens[0].begin, tokens[0].end - tokens[0].begin)) +
                      "'");
  }
  TARN_RETURN_IF_ERROR(CheckBuiltins(tokens));
  // Find the `}` that closes the first `{` and the commas directly inside it.
  std::vector<size_t> separators = {0};
  int depth = 0;
  size_t close = 0;
  for (size_t i = 0; i < tokens.size() && close == 0; ++i) {
    const Token& t = tokens[i];
    if (t.kind != TokenKind::kPunct) continue;
    if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
    if (t.text == ")" || t.text == "]" || t.text == "}") {
      if (--depth == 0) close = i;
    }
    if (t.text == "," && depth == 1) separators.push_back(i);
  }
  if (close == 0) return not_object("the '{' is never closed");
  if (close + 1 != tokens.size()) {
    return not_object("text follows the closing '}' at offset " +
                      std::to_string(tokens[close + 1].begin));
  }
  separators.push_back(close);

  std::vector<KeyExpr> keys;
  std::set<std::string, std::less<>> seen;
  for (size_t s = 0; s + 1 < separators.size(); ++s) {
    size_t b = separators[s] + 1, e = separators[s + 1];
    if (b == e) {
      if (close == 1) break;  // `{}`
      return not_object("an empty entry before offset " + std::to_string(tokens[e].begin));
    }
    const Token& k = tokens[b];
    KeyExpr entry;
    std::string where = " (offset " + std::to_string(k.begin) + ")";
    bool shorthand = e == b + 1;
    if (IsPunct(k, "(") || k.kind == TokenKind::kFormat || k.interpolated ||
        (k.kind == TokenKind::kVar && !shorthand)) {
      return InvalidArgument("query: the key of entry " + std::to_string(s + 1) + where +
                             " is computed; partition keys must be names or string literals");
    }
    if (!shorthand && !IsPunct(tokens[b + 1], ":")) {
      return not_object("entry " + std::to_string(s + 1) + where + " is not 'key: expression'");
    }
    if (k.kind == TokenKind::kIdent) {
      entry.key = k.text;
      if (shorthand) entry.expr = "." + k.text;
    } else if (k.kind == TokenKind::kString && !k.interpolated) {
      entry.key = k.text;
      if (shorthand) entry.expr = "." + std::string(q.substr(k.begin, k.end - k.begin));
    } else if (k.kind == TokenKind::kVar && shorthand) {
      entry.key = k.text;
      entry.expr = "$" + k.text;
    } else {
      return InvalidArgument("query: the key of entry " + std::to_string(s + 1) + where +
                             " is computed; partition keys must be names or string literals");
    }
    if (!shorthand) {
      if (b + 2 >= e) return not_object("entry '" + entry.key + "' has no expression");
      entry.expr =
          std::string(q.substr(tokens[b + 2].begin, tokens[e - 1].end - tokens[b + 2].begin));
      entry.fast = PipelineParser(tokens, b + 2, e).Parse(&entry.steps);
    } else if (k.kind != TokenKind::kVar) {
      entry.steps.push_back({Op::kField, entry.key, 0});
      entry.fast = true;
    }
    if (!seen.insert(entry.key).second) {
      return InvalidArgument("query: duplicate key '" + entry.key + "'" + where);
    }
    keys.push_back(std::move(entry));
  }
  if (keys.empty()) return InvalidArgument("query: the object has no keys");
  if (keys.size() > kMaxPartitionKeys) {
    return InvalidArgument("query: " + std::to_string(keys.size()) + " keys; at most " +
                           std::to_string(kMaxPartitionKeys) + " partition keys are allowed");
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// libjq.

std::string JvToString(jv v) {  // Consumes v, a string.
  std::string s(jv_string_value(v), jv_string_length_bytes(jv_copy(v)));
  jv_free(v);
  return s;
}

std::string DumpJv(jv v) { return JvToString(jv_dump_string(v, 0)); }

std::string NumberText(double d) { return DumpJv(jv_number(d)); }

void CollectError(void* data, jv msg) {
  auto* out = static_cast<std::string*>(data);
  if (!out->empty()) out->append("; ");
  if (jv_get_kind(msg) == JV_KIND_STRING) {
    out->append(JvToString(msg));
  } else {
    out->append(DumpJv(msg));
  }
}

void IgnoreDebug(void*, jv msg) { jv_free(msg); }

// jq 1.6's strftime (and todate, which calls it) aborts the process when given a number gmtime
// cannot convert (1e18, nan): these definitions turn that into an error first.
// jq 1.6 also leaks on some failures, once per record, so a producer could grow the server's
// memory without bound; the definitions below fail (or answer) first, with jq's own message:
// - strftime, strflocaltime and mktime of an array whose first 8 elements are not all numbers:
//   jv2tm() never frees the element that is not a number (["2023-06-18"] leaks the string);
// - ltrimstr/rtrimstr when the input or the argument is not a string: the error of their
//   startswith/endswith check is never freed. They return the input unchanged then.
constexpr std::string_view kPrelude =
    "def _tarn_strftime(f): strftime(f);\n"
    "def _tarn_strflocaltime(f): strflocaltime(f);\n"
    "def _tarn_mktime: mktime;\n"
    "def _tarn_ltrimstr(f): ltrimstr(f);\n"
    "def _tarn_rtrimstr(f): rtrimstr(f);\n"
    "def _tarn_epoch: if type == \"number\" and (isnan or . <= -1e16 or . >= 1e16)"
    " then error(\"strftime/1: \\(.) seconds since the epoch is out of range\") else . end;\n"
    "def _tarn_tm($what): if type == \"array\" and (length < 8 or"
    " ([.[0:8][] | select(type != \"number\")] | length > 0))"
    " then error(\"\\($what) requires parsed datetime inputs\") else . end;\n"
    "def strftime(f): _tarn_epoch | f as $f"
    " | if ($f | type) == \"string\" then _tarn_tm(\"strftime/1\") else . end"
    " | _tarn_strftime($f);\n"
    "def strflocaltime(f): _tarn_epoch | f as $f"
    " | if ($f | type) == \"string\" then _tarn_tm(\"strflocaltime/1\") else . end"
    " | _tarn_strflocaltime($f);\n"
    "def mktime: _tarn_tm(\"mktime\") | _tarn_mktime;\n"
    "def ltrimstr(f): f as $p"
    " | if type == \"string\" and ($p | type) == \"string\" then _tarn_ltrimstr($p) else . end;\n"
    "def rtrimstr(f): f as $p"
    " | if type == \"string\" and ($p | type) == \"string\" then _tarn_rtrimstr($p) else . end;\n"
    "def todateiso8601: strftime(\"%Y-%m-%dT%H:%M:%SZ\");\n"
    "def todate: todateiso8601;\n"
    "def date: todate;\n";

// Compiling touches libjq's shared builtin tables; compile one program at a time.
std::mutex& CompileMutex() {
  static auto* mu = new std::mutex;
  return *mu;
}

// One compiled jq program in its own jq_state.
class JqProgram {
 public:
  ~JqProgram() {
    if (jq_ != nullptr) jq_teardown(&jq_);
  }

  static Result<std::unique_ptr<JqProgram>> Make(const std::string& text, std::string_view what) {
    auto p = std::unique_ptr<JqProgram>(new JqProgram);
    std::lock_guard<std::mutex> lock(CompileMutex());
    p->jq_ = jq_init();
    if (p->jq_ == nullptr) return Internal("jq_init failed");
    jq_set_error_cb(p->jq_, CollectError, &p->errors_);
    jq_set_debug_cb(p->jq_, IgnoreDebug, nullptr);
    jq_set_attr(p->jq_, jv_string("JQ_LIBRARY_PATH"), jv_array());
    if (!jq_compile(p->jq_, text.c_str())) {
      std::string msg = p->errors_.empty() ? "it does not compile" : p->errors_;
      return InvalidArgument(std::string(what) + ": jq: " + msg);
    }
    return p;
  }

  // Runs on `input` (consumed) and returns the first output, or an invalid jv.
  jv Run(jv input) {
    jq_start(jq_, input, 0);
    return jq_next(jq_);
  }

 private:
  JqProgram() = default;
  jq_state* jq_ = nullptr;
  std::string errors_;
};

// `{k1: e1, k2: e2}` becomes `[(try [(e1)] catch {"error": .}), ...]`: every key's outputs,
// or its error, so each failure can name its key.
std::string PerKeyProgram(const std::vector<KeyExpr>& keys) {
  std::string p(kPrelude);
  p += "[";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) p += ",\n";
    // The newline ends a trailing `#` comment of the expression.
    p += "(try [(" + keys[i].expr + "\n)] catch {\"error\": .})";
  }
  p += "\n]";
  return p;
}

Status KeyError(const std::string& key, std::string_view what) {
  return InvalidArgument("key '" + key + "': " + std::string(what));
}

Status NullValueError(const std::string& key) {
  return KeyError(key, "the value is null (is the field missing?)");
}

Status ContainerValueError(const std::string& key, std::string_view kind) {
  return KeyError(key, "the value is an " + std::string(kind) +
                           "; a partition key must be a string, number or boolean");
}

// jq 1.6's parser leaks the string it has just read when it already holds a value inside an
// array or object (`["a" "b"]`, `{"k" "v"}`, `{"a": 1 "b": 2}`): found_string() passes the new
// string to value(), which answers "Expected separator between values" without freeing it. Such
// a record is always an error, but every one would leak its string, so a producer could grow
// the server's memory without bound. FindLeakingString finds these records by following the
// parser's states (jq 1.6 jv_parse.c: not streaming, not a JSON text sequence) without building
// values; ParseRecord then never lets libjq read that string. See docs/metadata-extraction.md.
struct LeakingString {
  size_t open = 0;   // Offset of its opening quote.
  size_t close = 0;  // Offset of its closing quote.
};

// The first string jq 1.6 would complete while holding a value, before it finishes the text's
// second top-level value (jv_parse_sized's two jv_parser_next calls). The states are exact while
// jq meets no error; where jq stops earlier with an error the answer does not matter, because
// ParseRecord has libjq parse everything up to the string first. Literals are taken to be valid
// (whether they are is jq's strtod's business): if one is not, jq stops there.
std::optional<LeakingString> FindLeakingString(std::string_view text) {
  // jv_parser_set_buf skips a whole UTF-8 BOM; a part of one is an error before any scanning.
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  size_t i = 0;
  while (i < kBom.size() && i < text.size() && text[i] == kBom[i]) ++i;
  if (i != 0 && i != kBom.size()) return std::nullopt;

  enum class Frame { kArray, kNonEmptyArray, kObject, kNonEmptyObject, kKey };
  enum class Next { kNone, kString, kOther };  // The parser's `next`: its last complete value.
  std::vector<Frame> stack;
  Next next = Next::kNone;
  bool in_string = false, escape = false;
  bool literal = false;  // Literal characters are waiting (jq's token buffer).
  size_t open = 0;
  int outputs = 0;

  // check_literal(): a waiting literal becomes the value.
  auto literal_done = [&] {
    if (!literal) return true;
    literal = false;
    if (next != Next::kNone) return false;  // "Expected separator between values" (no leak).
    next = Next::kOther;
    return true;
  };
  // check_done(): a complete top-level value is returned; jq reads no further than a second.
  auto output = [&] {
    if (!stack.empty() || next == Next::kNone) return true;
    next = Next::kNone;
    return ++outputs < 2;
  };
  auto close = [&](Frame pushed) {
    next = Next::kOther;
    stack.pop_back();
    if (pushed == Frame::kKey) {
      stack.back() = Frame::kNonEmptyObject;
      stack.pop_back();
    }
  };
  // parse_token(); false where jq reports an error. The depth limit is not checked: past it jq
  // stops, and what is found after that is never used.
  auto token = [&](char c) {
    Frame top = stack.empty() ? Frame::kKey : stack.back();
    switch (c) {
      case '[':
      case '{':
        if (next != Next::kNone) return false;
        stack.push_back(c == '[' ? Frame::kArray : Frame::kObject);
        return true;
      case ':':
        if (next != Next::kString || stack.empty() ||
            (top != Frame::kObject && top != Frame::kNonEmptyObject)) {
          return false;
        }
        stack.push_back(Frame::kKey);
        next = Next::kNone;
        return true;
      case ',':
        if (next == Next::kNone || stack.empty()) return false;
        if (top == Frame::kArray || top == Frame::kNonEmptyArray) {
          stack.back() = Frame::kNonEmptyArray;
        } else if (top == Frame::kKey) {
          stack.pop_back();
          stack.back() = Frame::kNonEmptyObject;
        } else {
          return false;
        }
        next = Next::kNone;
        return true;
      case ']':
        if (stack.empty() || (top != Frame::kArray && top != Frame::kNonEmptyArray)) return false;
        if (next == Next::kNone && top == Frame::kNonEmptyArray) return false;
        close(top);
        return true;
      default:  // '}'
        if (stack.empty()) return false;
        if (next != Next::kNone ? top != Frame::kKey : top != Frame::kObject) return false;
        close(top);
        return true;
    }
  };

  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\x1e') {
      // An RS outside JSON-seq mode: a top-level literal it ends is returned; otherwise jq
      // resets and jv_parser_next returns no value, which ends jv_parse_sized's reading.
      if (in_string || !literal_done() || !stack.empty() || next == Next::kNone) {
        return std::nullopt;
      }
      if (!output()) return std::nullopt;
      continue;
    }
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
        if (next != Next::kNone) return LeakingString{open, i};
        next = Next::kString;
        if (!output()) return std::nullopt;
      }
      continue;
    }
    bool structure = c == '[' || c == ']' || c == '{' || c == '}' || c == ':' || c == ',';
    if (!structure && c != '"' && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      literal = true;
      continue;
    }
    if (!literal_done() || !output()) return std::nullopt;
    if (c == '"') {
      in_string = true;
      open = i;
    } else if (structure && (!token(c) || !output())) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// jq's "at line L, column C" for the character at `offset`: jq counts from after a BOM, a
// newline starts line L+1 at column 0.
std::string JqPosition(std::string_view text, size_t offset) {
  size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  int line = 1, column = 0;
  for (; i <= offset; ++i) {
    ++column;
    if (text[i] == '\n') {
      ++line;
      column = 0;
    }
  }
  return "at line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Runs jq's parser on `text` as jv_parse_sized does (the first value, then whether another
// follows), without jv_parse_sized's copy of the whole text in its message. `prefix`: the text
// is the start of the record, and reaching its end is no error (*at_end is set instead).
Result<jv> ParseJson(std::string_view text, bool prefix, bool* at_end) {
  jv_parser* parser = jv_parser_new(0);
  jv_parser_set_buf(parser, text.data(), static_cast<int>(text.size()), prefix ? 1 : 0);
  // In a prefix, a value-less answer with nothing left to read means the end was reached.
  auto reached_end = [&] { return prefix && jv_parser_remaining(parser) == 0; };
  jv value = jv_parser_next(parser);
  std::string error;
  if (jv_is_valid(value)) {
    jv next = jv_parser_next(parser);
    if (jv_is_valid(next)) {
      error = "Unexpected extra JSON values";
      jv_free(next);
    } else if (jv_invalid_has_msg(jv_copy(next))) {
      error = JvToString(jv_invalid_get_msg(next));
    } else {
      jv_free(next);
      *at_end = reached_end();
    }
  } else if (jv_invalid_has_msg(jv_copy(value))) {
    error = JvToString(jv_invalid_get_msg(value));
    value = jv_invalid();
  } else {
    *at_end = reached_end();
    if (!*at_end) error = "Expected JSON value";
  }
  jv_parser_free(parser);
  if (!error.empty()) {
    jv_free(value);
    return InvalidArgument("record is not valid JSON: " + error);
  }
  return value;
}

// Parses one record as jq 1.6 does, without its parser's leak (FindLeakingString).
Result<jv> ParseRecord(std::string_view record) {
  if (record.size() > static_cast<size_t>(INT32_MAX)) return InvalidArgument("record too large");
  bool at_end = false;
  if (std::optional<LeakingString> leak = FindLeakingString(record)) {
    // libjq reads up to the string's opening quote: an error before it is jq's answer.
    TARN_ASSIGN_OR_RETURN(jv partial,
                          ParseJson(record.substr(0, leak->open + 1), /*prefix=*/true, &at_end));
    jv_free(partial);
    // found_string() checks the string before value() leaks it; a string it refuses (a bad
    // escape, a control character) is its error, without a leak. libjq judges the string alone
    // (a top-level string never leaks).
    bool unused = false;
    Result<jv> alone =
        ParseJson(record.substr(leak->open, leak->close - leak->open + 1), false, &unused);
    if (alone.ok()) jv_free(*alone);
    if (at_end && alone.ok()) {
      return InvalidArgument("record is not valid JSON: Expected separator between values " +
                             JqPosition(record, leak->close));
    }
    // A refused string, or (not reached while FindLeakingString follows jq) an answer before
    // the string's end: libjq parses the whole record without reaching the leak.
  }
  return ParseJson(record, /*prefix=*/false, &at_end);
}

// ---------------------------------------------------------------------------------------------
// The fast path: values as jq would hold them, for the few kinds the steps produce.

struct FastValue {
  enum Kind { kNull, kFalse, kTrue, kNumber, kString, kParts, kTime, kContainer };
  Kind kind = kNull;
  double number = 0;
  bool zero_sign_unknown = false;  // kNumber: simdjson reads -0 as the integer 0, jq prints "-0".
  std::string text;                // kString
  std::vector<std::string> parts;  // kParts: split's array of strings
  int tm_fields[8] = {};           // kTime: strptime's broken-down time (jq's 8-number array)
  simdjson::dom::element element;  // kContainer: an array or object of the record
};

// jq 1.6's fallbacks for a day of week/year strptime did not set (static in its builtin.c).
int JqWeekDay(const struct tm& tm) {
  int century = (1900 + tm.tm_year) / 100;
  int year = (1900 + tm.tm_year) % 100;
  if (tm.tm_mon < 2) year--;
  int mon = tm.tm_mon - 1;
  if (mon < 1) mon += 12;
  int wday = (tm.tm_mday + static_cast<int>(std::floor((2.6 * mon - 0.2))) + year +
              static_cast<int>(std::floor(year / 4.0)) +
              static_cast<int>(std::floor(century / 4.0)) - 2 * century) %
             7;
  if (wday < 0) wday += 7;
  return wday;
}

int JqYearDay(const struct tm& tm) {
  static const int kDays[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  int mon = tm.tm_mon;
  int year = 1900 + tm.tm_year;
  int leap_day = tm.tm_mon > 1 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0) ? 1 : 0;
  if (mon < 0) mon = -mon;
  if (mon > 11) mon %= 12;
  return kDays[mon] + leap_day + tm.tm_mday - 1;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct MetadataExtractor::Impl {
  std::string query;
  std::vector<KeyExpr> key_exprs;
  std::vector<std::string> keys;
  bool fast = false;
  std::unique_ptr<JqProgram> program;
  size_t fallbacks = 0;

  // Fast path state, reused between records.
  simdjson::dom::parser parser;
  std::vector<char> buffer;
  FastValue value;
  std::string scratch;

  // The fast path's verdict: values, or "ask libjq" (a failure or anything unusual).
  bool FastExtract(std::string_view record, std::vector<std::string>* values);
  bool Apply(const Step& step, FastValue* v);
  bool Finish(FastValue* v, std::string* out);
  Status JqExtract(std::string_view record, std::vector<std::string>* values);
};

namespace {

void Load(simdjson::dom::element e, FastValue* v) {
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      v->kind = FastValue::kNull;
      break;
    case simdjson::dom::element_type::BOOL:
      v->kind = e.get_bool().value_unsafe() ? FastValue::kTrue : FastValue::kFalse;
      break;
    case simdjson::dom::element_type::INT64:
      v->kind = FastValue::kNumber;
      v->number = static_cast<double>(e.get_int64().value_unsafe());
      v->zero_sign_unknown = v->number == 0;
      break;
    case simdjson::dom::element_type::UINT64:
      v->kind = FastValue::kNumber;
      v->zero_sign_unknown = false;
      v->number = static_cast<double>(e.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE:
      v->kind = FastValue::kNumber;
      v->zero_sign_unknown = false;
      v->number = e.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::STRING: {
      v->kind = FastValue::kString;
      std::string_view s = e.get_string().value_unsafe();
      v->text.assign(s.data(), s.size());
      break;
    }
    default:
      v->kind = FastValue::kContainer;
      v->element = e;
  }
}

// jq's index of an array of length n with i; -1 for null (out of range).
int64_t ArrayIndex(int64_t i, size_t n) {
  if (i < 0) i += static_cast<int64_t>(n);
  return i < 0 || i >= static_cast<int64_t>(n) ? -1 : i;
}

}  // namespace

bool MetadataExtractor::Impl::Apply(const Step& step, FastValue* v) {
  switch (step.op) {
    case Op::kField: {
      if (v->kind == FastValue::kNull) return true;
      if (v->kind != FastValue::kContainer || !v->element.is_object()) return false;
      simdjson::dom::object object = v->element.get_object().value_unsafe();
      bool found = false;
      simdjson::dom::element last;
      for (auto field : object) {  // The last of duplicate keys wins, as in jq.
        if (field.key == step.arg) {
          last = field.value;
          found = true;
        }
      }
      if (!found) {
        v->kind = FastValue::kNull;
        return true;
      }
      Load(last, v);
      return true;
    }
    case Op::kIndex: {
      if (v->kind == FastValue::kNull) return true;
      if (v->kind == FastValue::kParts) {
        int64_t i = ArrayIndex(step.index, v->parts.size());
        if (i < 0) {
          v->kind = FastValue::kNull;
        } else {
          v->text = std::move(v->parts[i]);
          v->kind = FastValue::kString;
        }
        return true;
      }
      if (v->kind != FastValue::kContainer || !v->element.is_array()) return false;
      simdjson::dom::array array = v->element.get_array().value_unsafe();
      int64_t i = ArrayIndex(step.index, array.size());
      if (i < 0) {
        v->kind = FastValue::kNull;
      } else {
        Load(array.at(i).value_unsafe(), v);
      }
      return true;
    }
    case Op::kSplit: {
      if (v->kind != FastValue::kString) return false;
      // jv_string_split: "" gives []; a trailing separator gives a trailing "".
      v->parts.clear();
      std::string_view s = v->text;
      size_t p = 0;
      while (p < s.size()) {
        size_t hit = s.find(step.arg, p);
        if (hit == std::string_view::npos) hit = s.size();
        v->parts.emplace_back(s.substr(p, hit - p));
        if (hit + step.arg.size() == s.size()) v->parts.emplace_back();
        p = hit + step.arg.size();
      }
      v->kind = FastValue::kParts;
      return true;
    }
    case Op::kStrptime: {
      if (v->kind != FastValue::kString) return false;
      // Exactly jq 1.6's f_strptime: the C library on a zeroed tm with sentinels.
      struct tm tm;
      std::memset(&tm, 0, sizeof(tm));
      tm.tm_wday = 8;
      tm.tm_yday = 367;
      const char* input = v->text.c_str();  // jq passes a C string: it ends at a NUL.
      const char* end = strptime(input, step.arg.c_str(), &tm);
      if (end == nullptr || (*end != '\0' && !std::isspace(*end))) return false;
      // Trailing white space: jq appends it as a 9th element, which strftime ignores; a kTime
      // is never a final value or tostring's input on the fast path, so it need not be kept.
      if (tm.tm_wday == 8 && tm.tm_mday != 0 && tm.tm_mon >= 0 && tm.tm_mon <= 11) {
        tm.tm_wday = JqWeekDay(tm);
      }
      if (tm.tm_yday == 367 && tm.tm_mday != 0 && tm.tm_mon >= 0 && tm.tm_mon <= 11) {
        tm.tm_yday = JqYearDay(tm);
      }
      int fields[8] = {tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, tm.tm_hour,
                       tm.tm_min,         tm.tm_sec, tm.tm_wday, tm.tm_yday};
      std::memcpy(v->tm_fields, fields, sizeof(fields));
      v->kind = FastValue::kTime;
      return true;
    }
    case Op::kStrftime: {
      struct tm tm;
      std::memset(&tm, 0, sizeof(tm));
      if (v->kind == FastValue::kNumber) {
        // jq: gmtime, then the broken-down time's fields (the fraction of a second is dropped).
        if (!(v->number > -1e16 && v->number < 1e16)) return false;
        time_t secs = static_cast<time_t>(v->number);
        struct tm g;
        if (gmtime_r(&secs, &g) == nullptr) return false;
        int fields[8] = {g.tm_year + 1900, g.tm_mon, g.tm_mday, g.tm_hour,
                         g.tm_min,         g.tm_sec, g.tm_wday, g.tm_yday};
        std::memcpy(v->tm_fields, fields, sizeof(fields));
      } else if (v->kind != FastValue::kTime) {
        return false;
      }
      // jq's jv2tm: a zeroed tm with the array's eight fields.
      tm.tm_year = v->tm_fields[0] - 1900;
      tm.tm_mon = v->tm_fields[1];
      tm.tm_mday = v->tm_fields[2];
      tm.tm_hour = v->tm_fields[3];
      tm.tm_min = v->tm_fields[4];
      tm.tm_sec = v->tm_fields[5];
      tm.tm_wday = v->tm_fields[6];
      tm.tm_yday = v->tm_fields[7];
      size_t capacity = step.arg.size() + 100;  // jq's buffer; longer output is its error.
      scratch.resize(capacity);
      size_t n = strftime(scratch.data(), capacity, step.arg.c_str(), &tm);
      if (n == 0 || !simdjson::validate_utf8(scratch.data(), n)) return false;
      v->text.assign(scratch.data(), n);
      v->kind = FastValue::kString;
      return true;
    }
    case Op::kToString:
      switch (v->kind) {
        case FastValue::kString:
          return true;
        case FastValue::kNull:
          v->text = "null";
          break;
        case FastValue::kFalse:
          v->text = "false";
          break;
        case FastValue::kTrue:
          v->text = "true";
          break;
        case FastValue::kNumber:
          if (v->zero_sign_unknown) return false;
          v->text = NumberText(v->number);
          break;
        default:
          return false;
      }
      v->kind = FastValue::kString;
      return true;
    case Op::kDowncase:
    case Op::kUpcase:
      if (v->kind != FastValue::kString) return false;
      for (char& c : v->text) {
        if (step.op == Op::kDowncase && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (step.op == Op::kUpcase && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      }
      return true;
  }
  return false;
}

bool MetadataExtractor::Impl::Finish(FastValue* v, std::string* out) {
  switch (v->kind) {
    case FastValue::kString:
      *out = std::move(v->text);
      return true;
    case FastValue::kNumber:
      if (v->zero_sign_unknown) return false;
      *out = NumberText(v->number);
      return true;
    case FastValue::kTrue:
      *out = "true";
      return true;
    case FastValue::kFalse:
      *out = "false";
      return true;
    default:
      return false;  // null, arrays, objects: failures, reported by libjq.
  }
}

bool MetadataExtractor::Impl::FastExtract(std::string_view record,
                                          std::vector<std::string>* values) {
  if (buffer.size() < record.size() + simdjson::SIMDJSON_PADDING) {
    buffer.resize(record.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(buffer.data(), record.data(), record.size());
  simdjson::dom::element root;
  // simdjson refuses what jq would accept with repairs (invalid UTF-8, lone surrogates, nan) and
  // what is nested deeper than the parser's depth: libjq decides those.
  if (parser.parse(buffer.data(), record.size(), false).get(root) != simdjson::SUCCESS) {
    return false;
  }
  values->resize(key_exprs.size());
  for (size_t k = 0; k < key_exprs.size(); ++k) {
    Load(root, &value);
    for (const Step& step : key_exprs[k].steps) {
      if (!Apply(step, &value)) return false;
    }
    if (!Finish(&value, &(*values)[k])) return false;
  }
  return true;
}

Status MetadataExtractor::Impl::JqExtract(std::string_view record,
                                          std::vector<std::string>* values) {
  TARN_ASSIGN_OR_RETURN(jv input, ParseRecord(record));
  jv out = program->Run(input);
  if (!jv_is_valid(out)) {
    std::string msg = jv_invalid_has_msg(jv_copy(out)) ? DumpJv(jv_invalid_get_msg(out))
                                                       : (jv_free(out), "the query stopped");
    return InvalidArgument("jq error: " + msg);
  }
  values->resize(keys.size());
  Status status;
  for (size_t k = 0; k < keys.size() && status.ok(); ++k) {
    jv r = jv_array_get(jv_copy(out), static_cast<int>(k));
    if (jv_get_kind(r) == JV_KIND_OBJECT) {
      jv msg = jv_object_get(r, jv_string("error"));
      bool is_string = jv_get_kind(msg) == JV_KIND_STRING;
      status = KeyError(keys[k], is_string ? "jq error: " + JvToString(msg)
                                           : "jq error (not a string): " + DumpJv(msg));
      continue;
    }
    int n = jv_array_length(jv_copy(r));
    if (n != 1) {
      jv_free(r);
      status = KeyError(keys[k], n == 0 ? "the expression gave no value"
                                        : "the expression gave " + std::to_string(n) +
                                              " values; a partition key needs exactly one");
      continue;
    }
    jv v = jv_array_get(r, 0);
    switch (jv_get_kind(v)) {
      case JV_KIND_STRING:
        (*values)[k] = JvToString(v);
        break;
      case JV_KIND_NUMBER:
      case JV_KIND_TRUE:
      case JV_KIND_FALSE:
        (*values)[k] = DumpJv(v);
        break;
      case JV_KIND_NULL:
        jv_free(v);
        status = NullValueError(keys[k]);
        break;
      default:
        status = ContainerValueError(keys[k], jv_get_kind(v) == JV_KIND_ARRAY ? "array" : "object");
        jv_free(v);
    }
  }
  jv_free(out);
  return status;
}

MetadataExtractor::MetadataExtractor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetadataExtractor::~MetadataExtractor() = default;

Result<std::unique_ptr<MetadataExtractor>> MetadataExtractor::Compile(std::string_view query) {
  std::string text(query);
  // jq's own compiler first: its messages point into the text the user wrote.
  TARN_RETURN_IF_ERROR(JqProgram::Make(text, "query").status());
  auto impl = std::make_unique<Impl>();
  impl->query = text;
  TARN_ASSIGN_OR_RETURN(impl->key_exprs, ParseShape(text));
  impl->fast = true;
  for (const KeyExpr& k : impl->key_exprs) {
    impl->keys.push_back(k.key);
    impl->fast = impl->fast && k.fast;
  }
  TARN_ASSIGN_OR_RETURN(impl->program,
                        JqProgram::Make(PerKeyProgram(impl->key_exprs), "query (per key)"));
  // jq allows 256 levels; deeper records (and anything simdjson refuses) go to libjq.
  if (impl->parser.allocate(4096, 64) != simdjson::SUCCESS) return Internal("simdjson allocate");
  return std::unique_ptr<MetadataExtractor>(new MetadataExtractor(std::move(impl)));
}

Result<std::unique_ptr<MetadataExtractor>> MetadataExtractor::Clone() const {
  return Compile(impl_->query);
}

const std::vector<std::string>& MetadataExtractor::keys() const { return impl_->keys; }
const std::string& MetadataExtractor::query() const { return impl_->query; }
bool MetadataExtractor::uses_fast_path() const { return impl_->fast; }
size_t MetadataExtractor::fallback_count() const { return impl_->fallbacks; }

Status MetadataExtractor::Extract(std::string_view record, std::vector<std::string>* values) {
  if (impl_->fast) {
    if (impl_->FastExtract(record, values)) return Status::Ok();
    ++impl_->fallbacks;
  }
  return impl_->JqExtract(record, values);
}

Status MetadataExtractor::ExtractWithJq(std::string_view record, std::vector<std::string>* values) {
  return impl_->JqExtract(record, values);
}

}  // namespace tarn::delivery
