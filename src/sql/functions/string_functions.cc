// String functions, LIKE and the regular expression functions. Positions and lengths count
// code points of UTF-8 text (Trino counts code points too). Regular expressions are RE2's,
// compiled once when the pattern is a constant: Trino's joni differs in that RE2 has no
// backreferences or lookaround (such a pattern is an error here). In regexp_replace's
// replacement, $n and ${name} name groups and \$ is a dollar, as in Trino.
// lower/upper map ASCII, Latin-1, Greek and Cyrillic letters; other code points are unchanged.
#include <re2/re2.h>

#include <mutex>

#include "common/utf8.h"
#include "sql/functions/functions_internal.h"

namespace tarn::sql::functions_internal {

namespace {

FunctionDef Def(std::vector<std::string> names, std::vector<std::string> signatures, BindFn bind) {
  return FunctionDef{std::move(names), std::move(signatures), std::move(bind)};
}

bool AllText(const ScalarBinding& b, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (!IsText(b.arg_types[i])) return false;
  }
  return true;
}

// The shape check most string functions need: `n` arguments, text where `text_mask` has a bit,
// an integer type elsewhere.
bool Shape(const ScalarBinding& b, size_t n, unsigned text_mask) {
  if (b.arg_types.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    const bool want_text = (text_mask >> i) & 1;
    if (want_text ? !IsText(b.arg_types[i]) : !IsInteger(b.arg_types[i])) return false;
  }
  return true;
}

// --- UTF-8 ---------------------------------------------------------------------------------

// Decodes the code point at s[*i] and advances; invalid bytes decode as themselves.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 1;
  if (*i + len > s.size()) len = 1;
  uint32_t cp = len == 1 ? b0 : (b0 & (0x7F >> len));
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += static_cast<size_t>(len);
  return cp;
}


uint32_t ToLower(uint32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
      (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F)) {
    return c + 32;
  }
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

uint32_t ToUpper(uint32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ||
      (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) || (c >= 0x430 && c <= 0x44F)) {
    return c - 32;
  }
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

// Java's Character.isWhitespace for the code points Trino's trim removes.
bool IsWhitespace(uint32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x205F || c == 0x3000;
}

std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) out.push_back(NextCodePoint(s, &i));
  return out;
}

// --- Simple functions ------------------------------------------------------------------------

template <typename Fn>
BindFn TextToText(Fn fn) {
  return [fn](const ScalarBinding& b) -> Result<BoundPtr> {
    if (!Shape(b, 1, 0b1)) return BoundPtr();
    return MakeScalar(VarcharType(), [fn](Args args, size_t rows, Column* out) {
      std::string buffer;
      return MapRows(args, rows, out, [&](size_t r) {
        buffer.clear();
        fn(args[0]->string_at(r), &buffer);
        out->AppendBytes(buffer);
      });
    });
  };
}

void MapCase(std::string_view s, std::string* out, uint32_t (*map)(uint32_t)) {
  for (size_t i = 0; i < s.size();) AppendUtf8(map(NextCodePoint(s, &i)), out);
}

enum class TrimSide { kBoth, kLeft, kRight };

Result<BoundPtr> BindTrim(TrimSide side, const ScalarBinding& b) {
  if (b.arg_types.empty() || b.arg_types.size() > 2 || !AllText(b, 0, b.arg_types.size())) {
    return BoundPtr();
  }
  return MakeScalar(VarcharType(), [side](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) {
      const std::string_view s = args[0]->string_at(r);
      std::vector<uint32_t> chars;
      if (args.size() == 2) chars = CodePoints(args[1]->string_at(r));
      auto trimmed = [&](uint32_t c) {
        if (args.size() == 1) return IsWhitespace(c);
        return std::find(chars.begin(), chars.end(), c) != chars.end();
      };
      size_t begin = 0, end = s.size();
      if (side != TrimSide::kRight) {
        while (begin < end) {
          size_t next = begin;
          if (!trimmed(NextCodePoint(s, &next))) break;
          begin = next;
        }
      }
      if (side != TrimSide::kLeft) {
        while (end > begin) {
          size_t start = end - 1;
          while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
          size_t next = start;
          if (!trimmed(NextCodePoint(s, &next))) break;
          end = start;
        }
      }
      out->AppendBytes(s.substr(begin, end - begin));
    });
  });
}

Result<BoundPtr> BindSubstr(const ScalarBinding& b) {
  if (!Shape(b, 2, 0b01) && !Shape(b, 3, 0b001)) return BoundPtr();
  return MakeScalar(VarcharType(), [](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) {
      const std::string_view s = args[0]->string_at(r);
      const int64_t start = IntAt(*args[1], r);
      const int64_t length = args.size() == 3 ? IntAt(*args[2], r) : INT64_MAX;
      const auto total = static_cast<int64_t>(CodePointCount(s));
      int64_t first = start > 0 ? start - 1 : total + start;
      if (start == 0 || length <= 0 || first < 0 || first >= total) {
        out->AppendBytes("");
        return;
      }
      const int64_t last = length >= total - first ? total : first + length;
      const size_t from = CodePointOffset(s, static_cast<size_t>(first));
      const size_t to = from + CodePointOffset(s.substr(from), static_cast<size_t>(last - first));
      out->AppendBytes(s.substr(from, to - from));
    });
  });
}

Result<BoundPtr> BindStrpos(const ScalarBinding& b) {
  if (!Shape(b, 2, 0b11) && !Shape(b, 3, 0b011)) return BoundPtr();
  return MakeScalar(BigintType(), [](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      const std::string_view s = args[0]->string_at(r);
      const std::string_view sub = args[1]->string_at(r);
      const int64_t instance = args.size() == 3 ? IntAt(*args[2], r) : 1;
      if (instance <= 0) return InvalidArgument("'instance' must be a positive number.");
      if (sub.empty()) {
        out->AppendInt64(1);
        return Status::Ok();
      }
      size_t pos = 0;
      for (int64_t k = 0;; ++k) {
        pos = s.find(sub, k == 0 ? 0 : pos + 1);
        if (pos == std::string_view::npos) {
          out->AppendInt64(0);
          return Status::Ok();
        }
        if (k + 1 == instance) break;
      }
      out->AppendInt64(static_cast<int64_t>(CodePointCount(s.substr(0, pos))) + 1);
      return Status::Ok();
    });
  });
}

Result<BoundPtr> BindSplitPart(const ScalarBinding& b) {
  if (!Shape(b, 3, 0b011)) return BoundPtr();
  return MakeScalar(VarcharType(), [](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      const std::string_view s = args[0]->string_at(r);
      const std::string_view delim = args[1]->string_at(r);
      const int64_t index = IntAt(*args[2], r);
      if (index <= 0) return InvalidArgument("Index must be greater than zero");
      if (delim.empty()) {
        if (index == 1) {
          out->AppendBytes(s);
        } else {
          out->AppendNull();
        }
        return Status::Ok();
      }
      size_t begin = 0;
      for (int64_t k = 1; k < index; ++k) {
        const size_t at = s.find(delim, begin);
        if (at == std::string_view::npos) {
          out->AppendNull();
          return Status::Ok();
        }
        begin = at + delim.size();
      }
      const size_t end = s.find(delim, begin);
      out->AppendBytes(s.substr(begin, end == std::string_view::npos ? end : end - begin));
      return Status::Ok();
    });
  });
}

Result<BoundPtr> BindConcat(const ScalarBinding& b) {
  if (!AllText(b, 0, b.arg_types.size())) return BoundPtr();
  if (b.arg_types.size() < 2) {
    return InvalidArgument("There must be two or more concatenation arguments");
  }
  return MakeScalar(VarcharType(), [](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) {
      out->valid.push_back(1);
      for (const Column* a : args) out->bytes.append(a->string_at(r));
      out->offsets.push_back(out->bytes.size());
    });
  });
}

Result<BoundPtr> BindReplace(const ScalarBinding& b) {
  if (!Shape(b, 2, 0b11) && !Shape(b, 3, 0b111)) return BoundPtr();
  return MakeScalar(VarcharType(), [](Args args, size_t rows, Column* out) {
    std::string buffer;
    return MapRows(args, rows, out, [&](size_t r) {
      const std::string_view s = args[0]->string_at(r);
      const std::string_view search = args[1]->string_at(r);
      const std::string_view with = args.size() == 3 ? args[2]->string_at(r) : "";
      buffer.clear();
      if (search.empty()) {
        // Trino puts the replacement before every code point and at the end.
        for (size_t i = 0; i < s.size();) {
          buffer.append(with);
          const size_t start = i;
          NextCodePoint(s, &i);
          buffer.append(s.substr(start, i - start));
        }
        buffer.append(with);
      } else {
        size_t begin = 0;
        for (size_t at; (at = s.find(search, begin)) != std::string_view::npos;) {
          buffer.append(s.substr(begin, at - begin));
          buffer.append(with);
          begin = at + search.size();
        }
        buffer.append(s.substr(begin));
      }
      out->AppendBytes(buffer);
    });
  });
}

Result<BoundPtr> BindPad(bool left, const ScalarBinding& b) {
  if (!Shape(b, 3, 0b101)) return BoundPtr();
  return MakeScalar(VarcharType(), [left](Args args, size_t rows, Column* out) {
    std::string buffer;
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      const std::string_view s = args[0]->string_at(r);
      const int64_t size = IntAt(*args[1], r);
      const std::string_view pad = args[2]->string_at(r);
      if (size < 0 || size > INT32_MAX) {
        return InvalidArgument("Target length must be in the range [0.." +
                               std::to_string(INT32_MAX) + "]");
      }
      const auto length = static_cast<int64_t>(CodePointCount(s));
      if (length >= size) {
        out->AppendBytes(s.substr(0, CodePointOffset(s, static_cast<size_t>(size))));
        return Status::Ok();
      }
      if (pad.empty()) return InvalidArgument("Padding string must not be empty");
      buffer.clear();
      if (!left) buffer.append(s);
      const size_t pad_points = CodePointCount(pad);
      for (int64_t need = size - length; need > 0;) {
        const auto take = static_cast<size_t>(std::min<int64_t>(need, pad_points));
        buffer.append(pad.substr(0, CodePointOffset(pad, take)));
        need -= static_cast<int64_t>(take);
      }
      if (left) buffer.append(s);
      out->AppendBytes(buffer);
      return Status::Ok();
    });
  });
}

// --- LIKE ----------------------------------------------------------------------------------

// A compiled LIKE pattern: plain text, prefix, suffix and infix patterns skip the regex.
class LikeMatcher {
 public:
  static Result<LikeMatcher> Compile(std::string_view pattern, std::optional<char32_t> escape) {
    LikeMatcher m;
    std::string regex = "(?s)^";
    std::string literal;  // The pattern's text when it is `%`-bounded literal text.
    std::vector<std::string> pieces(1);
    bool has_underscore = false;
    for (size_t i = 0; i < pattern.size();) {
      const uint32_t c = NextCodePoint(pattern, &i);
      if (escape && c == *escape) {
        if (i >= pattern.size()) {
          return InvalidArgument(
              "Escape character must be followed by '%', '_' or the escape "
              "character itself");
        }
        const uint32_t next = NextCodePoint(pattern, &i);
        if (next != '%' && next != '_' && next != *escape) {
          return InvalidArgument(
              "Escape character must be followed by '%', '_' or the escape "
              "character itself");
        }
        std::string text;
        AppendUtf8(next, &text);
        regex += RE2::QuoteMeta(text);
        pieces.back() += text;
      } else if (c == '%') {
        regex += ".*";
        pieces.emplace_back();
      } else if (c == '_') {
        regex += ".";
        has_underscore = true;
      } else {
        std::string text;
        AppendUtf8(c, &text);
        regex += RE2::QuoteMeta(text);
        pieces.back() += text;
      }
    }
    regex += "$";
    if (!has_underscore && pieces.size() <= 3) {
      // text, text%, %text, %text%: as string tests.
      const bool leading = pieces.size() >= 2 && pieces.front().empty();
      const bool trailing = pieces.size() >= 2 && pieces.back().empty();
      if (pieces.size() == 1) {
        m.kind_ = Kind::kEquals;
        m.text_ = pieces[0];
        return m;
      }
      if (pieces.size() == 2 && (leading || trailing)) {
        m.kind_ = leading && trailing ? Kind::kAll : leading ? Kind::kSuffix : Kind::kPrefix;
        m.text_ = leading ? pieces[1] : pieces[0];
        return m;
      }
      if (pieces.size() == 3 && leading && trailing) {
        m.kind_ = Kind::kContains;
        m.text_ = pieces[1];
        return m;
      }
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_dot_nl(true);
    m.regex_ = std::make_shared<RE2>(regex, options);
    if (!m.regex_->ok()) return InvalidArgument("Invalid LIKE pattern: " + std::string(pattern));
    m.kind_ = Kind::kRegex;
    return m;
  }

  bool Matches(std::string_view s) const {
    switch (kind_) {
      case Kind::kEquals:
        return s == text_;
      case Kind::kPrefix:
        return s.starts_with(text_);
      case Kind::kSuffix:
        return s.ends_with(text_);
      case Kind::kContains:
        return s.find(text_) != std::string_view::npos;
      case Kind::kAll:
        return true;
      case Kind::kRegex:
        return RE2::FullMatch(s, *regex_);
    }
    return false;
  }

 private:
  enum class Kind { kEquals, kPrefix, kSuffix, kContains, kAll, kRegex };
  Kind kind_ = Kind::kRegex;
  std::string text_;
  std::shared_ptr<RE2> regex_;
};

Result<std::optional<char32_t>> LikeEscape(std::string_view escape) {
  if (CodePointCount(escape) != 1) {
    return InvalidArgument("Escape string must be a single character");
  }
  size_t i = 0;
  return std::optional<char32_t>(NextCodePoint(escape, &i));
}

Result<BoundPtr> BindLike(const ScalarBinding& b) {
  if (b.arg_types.size() < 2 || b.arg_types.size() > 3 || !AllText(b, 0, b.arg_types.size())) {
    return BoundPtr();
  }
  const std::optional<std::string> pattern = ConstantText(b, 1);
  const bool escape_constant = b.arg_types.size() == 2 || ConstantText(b, 2).has_value();
  if (pattern && escape_constant) {
    std::optional<char32_t> escape;
    if (b.arg_types.size() == 3) {
      TARN_ASSIGN_OR_RETURN(escape, LikeEscape(*ConstantText(b, 2)));
    }
    TARN_ASSIGN_OR_RETURN(LikeMatcher matcher, LikeMatcher::Compile(*pattern, escape));
    return MakeScalar(BooleanType(), [matcher](Args args, size_t rows, Column* out) {
      return MapRows(args, rows, out,
                     [&](size_t r) { out->AppendBool(matcher.Matches(args[0]->string_at(r))); });
    });
  }
  return MakeScalar(BooleanType(), [](Args args, size_t rows, Column* out) {
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      std::optional<char32_t> escape;
      if (args.size() == 3) {
        TARN_ASSIGN_OR_RETURN(escape, LikeEscape(args[2]->string_at(r)));
      }
      TARN_ASSIGN_OR_RETURN(LikeMatcher matcher,
                            LikeMatcher::Compile(args[1]->string_at(r), escape));
      out->AppendBool(matcher.Matches(args[0]->string_at(r)));
      return Status::Ok();
    });
  });
}

// --- Regular expressions -------------------------------------------------------------------

Result<std::shared_ptr<const RE2>> CompileRegex(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    return InvalidArgument("Invalid regular expression '" + std::string(pattern) +
                           "': " + re->error());
  }
  return std::shared_ptr<const RE2>(std::move(re));
}

// The pattern of argument 1: compiled once when constant, else per row (the last one reused).
class PatternSource {
 public:
  explicit PatternSource(std::shared_ptr<const RE2> constant) : constant_(std::move(constant)) {}
  Result<const RE2*> Get(const Column& patterns, size_t r,
                         std::shared_ptr<const RE2>* cache) const {
    if (constant_ != nullptr) return constant_.get();
    const std::string_view p = patterns.string_at(r);
    if (*cache == nullptr || (*cache)->pattern() != p) {
      TARN_ASSIGN_OR_RETURN(*cache, CompileRegex(p));
    }
    return cache->get();
  }

 private:
  std::shared_ptr<const RE2> constant_;
};

Result<PatternSource> MakePatternSource(const ScalarBinding& b) {
  const std::optional<std::string> pattern = ConstantText(b, 1);
  if (!pattern) return PatternSource(nullptr);
  TARN_ASSIGN_OR_RETURN(std::shared_ptr<const RE2> re, CompileRegex(*pattern));
  return PatternSource(std::move(re));
}

Status GroupError(const RE2& re, int64_t group) {
  return InvalidArgument("Pattern has " + std::to_string(re.NumberOfCapturingGroups()) +
                         " groups. Cannot access group " + std::to_string(group));
}

enum class RegexFn { kLike, kExtract, kExtractAll, kReplace };

Result<BoundPtr> BindRegex(RegexFn fn, const ScalarBinding& b) {
  const size_t n = b.arg_types.size();
  if (n < 2 || n > 3 || !AllText(b, 0, 2)) return BoundPtr();
  if (fn == RegexFn::kLike && n != 2) return BoundPtr();
  if ((fn == RegexFn::kExtract || fn == RegexFn::kExtractAll) && n == 3 &&
      !IsInteger(b.arg_types[2])) {
    return BoundPtr();
  }
  if (fn == RegexFn::kReplace && n == 3 && !IsText(b.arg_types[2])) return BoundPtr();
  TARN_ASSIGN_OR_RETURN(PatternSource source, MakePatternSource(b));
  DataType type = fn == RegexFn::kLike ? BooleanType() : VarcharType();
  if (fn == RegexFn::kExtractAll) type = DataType::Array(VarcharType());
  return MakeScalar(type, [fn, source](Args args, size_t rows, Column* out) {
    std::shared_ptr<const RE2> cache;
    std::vector<re2::StringPiece> groups;
    std::string buffer;
    return MapRows(args, rows, out, [&](size_t r) -> Status {
      TARN_ASSIGN_OR_RETURN(const RE2* re, source.Get(*args[1], r, &cache));
      const std::string_view s = args[0]->string_at(r);
      switch (fn) {
        case RegexFn::kLike:
          out->AppendBool(RE2::PartialMatch(s, *re));
          return Status::Ok();
        case RegexFn::kExtract:
        case RegexFn::kExtractAll: {
          const int64_t group = args.size() == 3 ? IntAt(*args[2], r) : 0;
          if (group < 0 || group > re->NumberOfCapturingGroups()) return GroupError(*re, group);
          groups.assign(static_cast<size_t>(group) + 1, re2::StringPiece());
          size_t pos = 0;
          while (pos <= s.size() && re->Match(s, pos, s.size(), RE2::UNANCHORED, groups.data(),
                                              static_cast<int>(groups.size()))) {
            const re2::StringPiece& g = groups[static_cast<size_t>(group)];
            if (fn == RegexFn::kExtract) {
              if (g.data() == nullptr) {
                out->AppendNull();
              } else {
                out->AppendBytes(std::string_view(g.data(), g.size()));
              }
              return Status::Ok();
            }
            if (g.data() == nullptr) {
              out->children[0].AppendNull();
            } else {
              out->children[0].AppendBytes(std::string_view(g.data(), g.size()));
            }
            const size_t end = static_cast<size_t>(groups[0].data() - s.data()) + groups[0].size();
            pos = groups[0].empty() ? end + 1 : end;
          }
          if (fn == RegexFn::kExtract) {
            out->AppendNull();
          } else {
            out->AppendListEnd();
          }
          return Status::Ok();
        }
        case RegexFn::kReplace: {
          // Trino's replacement syntax ($1, ${name}, \$) in RE2's (\1, \\).
          std::string rewrite;
          if (args.size() == 3) {
            const std::string_view with = args[2]->string_at(r);
            for (size_t i = 0; i < with.size(); ++i) {
              const char c = with[i];
              if (c == '\\' && i + 1 < with.size()) {
                const char next = with[++i];
                if (next == '\\') {
                  rewrite += "\\\\";
                } else {
                  rewrite.push_back(next);
                }
              } else if (c == '$' && i + 1 < with.size() && with[i + 1] == '{') {
                const size_t close = with.find('}', i);
                const std::string name(with.substr(i + 2, close - i - 2));
                const auto& names = re->NamedCapturingGroups();
                auto it = names.find(name);
                if (close == std::string_view::npos || it == names.end()) {
                  return InvalidArgument("No group with name {" + name + "}");
                }
                rewrite += "\\" + std::to_string(it->second);
                i = close;
              } else if (c == '$') {
                size_t j = i + 1;
                while (j < with.size() && std::isdigit(static_cast<unsigned char>(with[j]))) ++j;
                if (j == i + 1) return InvalidArgument("Illegal group reference");
                const int group = std::stoi(std::string(with.substr(i + 1, j - i - 1)));
                if (group > re->NumberOfCapturingGroups()) return GroupError(*re, group);
                rewrite += "\\" + std::to_string(group);
                i = j - 1;
              } else if (c == '\\') {
                rewrite += "\\\\";
              } else {
                rewrite.push_back(c);
              }
            }
          }
          buffer.assign(s);
          RE2::GlobalReplace(&buffer, *re, rewrite);
          out->AppendBytes(buffer);
          return Status::Ok();
        }
      }
      return Status::Ok();
    });
  });
}

}  // namespace

void AddStringFunctions(std::vector<FunctionDef>* defs) {
  defs->push_back(
      Def({"lower"}, {"lower(varchar(x))"},
          TextToText([](std::string_view s, std::string* out) { MapCase(s, out, ToLower); })));
  defs->push_back(
      Def({"upper"}, {"upper(varchar(x))"},
          TextToText([](std::string_view s, std::string* out) { MapCase(s, out, ToUpper); })));
  defs->push_back(Def({"reverse"}, {"reverse(varchar(x))"},
                      TextToText([](std::string_view s, std::string* out) {
                        std::vector<uint32_t> cps = CodePoints(s);
                        for (size_t i = cps.size(); i-- > 0;) AppendUtf8(cps[i], out);
                      })));
  defs->push_back(
      Def({"length"}, {"length(varchar(x))"}, [](const ScalarBinding& b) -> Result<BoundPtr> {
        if (!Shape(b, 1, 0b1)) return BoundPtr();
        return MakeScalar(BigintType(), [](Args args, size_t rows, Column* out) {
          return MapRows(args, rows, out, [&](size_t r) {
            out->AppendInt64(static_cast<int64_t>(CodePointCount(args[0]->string_at(r))));
          });
        });
      }));
  defs->push_back(Def({"substr", "substring"},
                      {"substr(varchar(x), bigint)", "substr(varchar(x), bigint, bigint)"},
                      BindSubstr));
  defs->push_back(Def({"strpos"},
                      {"strpos(varchar(x), varchar(y))", "strpos(varchar(x), varchar(y), bigint)"},
                      BindStrpos));
  defs->push_back(
      Def({"split_part"}, {"split_part(varchar(x), varchar(y), bigint)"}, BindSplitPart));
  defs->push_back(Def({"concat"}, {"concat(varchar...)"}, BindConcat));
  defs->push_back(Def({"trim"}, {"trim(varchar(x))", "trim(varchar(x), codepoints)"},
                      [](const ScalarBinding& b) { return BindTrim(TrimSide::kBoth, b); }));
  defs->push_back(Def({"ltrim"}, {"ltrim(varchar(x))", "ltrim(varchar(x), codepoints)"},
                      [](const ScalarBinding& b) { return BindTrim(TrimSide::kLeft, b); }));
  defs->push_back(Def({"rtrim"}, {"rtrim(varchar(x))", "rtrim(varchar(x), codepoints)"},
                      [](const ScalarBinding& b) { return BindTrim(TrimSide::kRight, b); }));
  defs->push_back(
      Def({"replace"},
          {"replace(varchar(x), varchar(y))", "replace(varchar(x), varchar(y), varchar(z))"},
          BindReplace));
  defs->push_back(Def({"lpad"}, {"lpad(varchar(x), bigint, varchar(y))"},
                      [](const ScalarBinding& b) { return BindPad(true, b); }));
  defs->push_back(Def({"rpad"}, {"rpad(varchar(x), bigint, varchar(y))"},
                      [](const ScalarBinding& b) { return BindPad(false, b); }));
  defs->push_back(Def({"starts_with"}, {"starts_with(varchar(x), varchar(y))"},
                      [](const ScalarBinding& b) -> Result<BoundPtr> {
                        if (!Shape(b, 2, 0b11)) return BoundPtr();
                        return MakeScalar(BooleanType(), [](Args args, size_t rows, Column* out) {
                          return MapRows(args, rows, out, [&](size_t r) {
                            out->AppendBool(
                                args[0]->string_at(r).starts_with(args[1]->string_at(r)));
                          });
                        });
                      }));
  defs->push_back(Def({"chr"}, {"chr(bigint)"}, [](const ScalarBinding& b) -> Result<BoundPtr> {
    if (!Shape(b, 1, 0)) return BoundPtr();
    return MakeScalar(VarcharType(), [](Args args, size_t rows, Column* out) {
      std::string buffer;
      return MapRows(args, rows, out, [&](size_t r) -> Status {
        const int64_t cp = IntAt(*args[0], r);
        if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          return InvalidArgument("Not a valid Unicode code point: " + std::to_string(cp));
        }
        buffer.clear();
        AppendUtf8(static_cast<uint32_t>(cp), &buffer);
        out->AppendBytes(buffer);
        return Status::Ok();
      });
    });
  }));
  defs->push_back(
      Def({"codepoint"}, {"codepoint(varchar(1))"}, [](const ScalarBinding& b) -> Result<BoundPtr> {
        if (!Shape(b, 1, 0b1)) return BoundPtr();
        return MakeScalar(IntegerType(), [](Args args, size_t rows, Column* out) {
          return MapRows(args, rows, out, [&](size_t r) -> Status {
            const std::string_view s = args[0]->string_at(r);
            if (CodePointCount(s) != 1) {
              return InvalidArgument("Input string must be a single character string");
            }
            size_t i = 0;
            out->AppendInt32(static_cast<int32_t>(NextCodePoint(s, &i)));
            return Status::Ok();
          });
        });
      }));
  defs->push_back(Def({"$like"}, {}, BindLike));
  defs->push_back(Def({"regexp_like"}, {"regexp_like(varchar(x), JoniRegExp)"},
                      [](const ScalarBinding& b) { return BindRegex(RegexFn::kLike, b); }));
  defs->push_back(Def(
      {"regexp_extract"},
      {"regexp_extract(varchar(x), JoniRegExp)", "regexp_extract(varchar(x), JoniRegExp, bigint)"},
      [](const ScalarBinding& b) { return BindRegex(RegexFn::kExtract, b); }));
  defs->push_back(Def({"regexp_extract_all"},
                      {"regexp_extract_all(varchar(x), JoniRegExp)",
                       "regexp_extract_all(varchar(x), JoniRegExp, bigint)"},
                      [](const ScalarBinding& b) { return BindRegex(RegexFn::kExtractAll, b); }));
  defs->push_back(Def({"regexp_replace"},
                      {"regexp_replace(varchar(x), JoniRegExp)",
                       "regexp_replace(varchar(x), JoniRegExp, varchar(y))"},
                      [](const ScalarBinding& b) { return BindRegex(RegexFn::kReplace, b); }));
}

}  // namespace tarn::sql::functions_internal
