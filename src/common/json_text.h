// Writing JSON text byte for byte as Python's json.dumps writes it with its defaults
// (ensure_ascii=True, allow_nan=True), since the seed's data and checksums are defined by that
// serialisation. Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace tarn {

// Appends `text` (UTF-8) as a quoted JSON string: `"` and `\` escaped, \n \r \t \b \f by name,
// other control characters and every non-ASCII code point as \uXXXX (UTF-16 surrogate pairs
// above U+FFFF). An invalid UTF-8 byte is written as \ufffd.
void AppendJsonString(std::string* out, std::string_view text);

// Appends `value` as Python's repr(float) does: the shortest digits that read back to the same
// double, positional notation for exponents -5 < e < 16 with at least one fractional digit
// ("123.0"), scientific otherwise ("1e-05", "1.5e+16"); NaN, Infinity, -Infinity as json.dumps.
void AppendPythonFloat(std::string* out, double value);

}  // namespace tarn
