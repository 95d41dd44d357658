#include "common/base64.h"

#include <array>
#include <cstdint>

namespace tarn {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeReverse() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kReverse = MakeReverse();

}  // namespace

void AppendBase64(std::string_view data, std::string* out) {
  const size_t base = out->size();
  out->resize(base + (data.size() + 2) / 3 * 4);
  char* o = out->data() + base;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3, o += 4) {
    const uint32_t v = (uint32_t(in[i]) << 16) | (uint32_t(in[i + 1]) << 8) | in[i + 2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
  }
  if (i < data.size()) {
    uint32_t v = uint32_t(in[i]) << 16;
    if (i + 1 < data.size()) v |= uint32_t(in[i + 1]) << 8;
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    o[3] = '=';
  }
}

Result<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) {
    return InvalidArgument("not valid base64: its length " + std::to_string(text.size()) +
                           " is not a multiple of 4");
  }
  std::string out;
  if (text.empty()) return out;
  const size_t groups = text.size() / 4;
  // The last group may end in one or two '='; it decides the size.
  const size_t last = (groups - 1) * 4;
  int v[4];
  int padding = 0;
  for (int k = 0; k < 4; ++k) {
    const char c = text[last + k];
    if (c == '=' && k >= 2 && (k == 3 || text[last + 3] == '=')) {
      v[k] = 0;
      ++padding;
      continue;
    }
    v[k] = kReverse[static_cast<unsigned char>(c)];
    if (v[k] < 0 || padding > 0) {
      return InvalidArgument("not valid base64: unexpected character at position " +
                             std::to_string(last + k + 1));
    }
  }
  out.resize(groups * 3 - static_cast<size_t>(padding));
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  char* o = out.data();
  // Every other group has four alphabet characters and no padding.
  for (size_t g = 0; g + 1 < groups; ++g, o += 3) {
    const unsigned char* p = in + g * 4;
    const int32_t a = kReverse[p[0]], b = kReverse[p[1]], c = kReverse[p[2]], d = kReverse[p[3]];
    if ((a | b | c | d) < 0) {
      size_t k = 0;
      while (kReverse[p[k]] >= 0) ++k;
      return InvalidArgument("not valid base64: unexpected character at position " +
                             std::to_string(g * 4 + k + 1));
    }
    const uint32_t bits =
        (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    o[0] = static_cast<char>(bits >> 16);
    o[1] = static_cast<char>((bits >> 8) & 0xff);
    o[2] = static_cast<char>(bits & 0xff);
  }
  const uint32_t bits =
      (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
  o[0] = static_cast<char>(bits >> 16);
  if (padding < 2) o[1] = static_cast<char>((bits >> 8) & 0xff);
  if (padding < 1) o[2] = static_cast<char>(bits & 0xff);
  return out;
}

}  // namespace tarn
