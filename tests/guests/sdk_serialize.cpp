// C++ SDK serialization: values of every supported kind (and a user type with its own
// Serializer) round-trip through bytes, and malformed or forged bytes are refused.
#include <cstdio>
#include <map>

#include "lunatic/serialize.hpp"
#include "lunatic_check.h"

namespace {

struct Point {  // bytewise: copied as its bytes
  int32_t x;
  double y;
  bool operator==(const Point& o) const { return x == o.x && y == o.y; }
};

struct Person {  // not bytewise: needs a Serializer
  std::string name;
  std::vector<std::string> tags;
  std::map<std::string, int> scores;
};

}  // namespace

// A user type: its fields in order, the map as a vector of pairs.
template <> struct lunatic::Serializer<Person> {
  static void write(Writer& w, const Person& p) {
    serialize(w, p.name);
    serialize(w, p.tags);
    serialize(w, std::vector<std::pair<std::string, int>>(p.scores.begin(), p.scores.end()));
  }
  static bool read(Reader& r, Person& p) {
    std::vector<std::pair<std::string, int>> scores;
    if (!deserialize(r, p.name) || !deserialize(r, p.tags) || !deserialize(r, scores)) return false;
    p.scores = std::map<std::string, int>(scores.begin(), scores.end());
    return true;
  }
};

template <class T> static bool round_trips(const T& value) {
  std::vector<uint8_t> bytes = lunatic::to_bytes(value);
  std::optional<T> back = lunatic::from_bytes<T>(bytes.data(), bytes.size());
  return back.has_value() && *back == value;
}

template <class T> static bool refused(const std::vector<uint8_t>& bytes) {
  return !lunatic::from_bytes<T>(bytes.data(), bytes.size()).has_value();
}

int main() {
  CHECK(round_trips<int64_t>(-5));
  CHECK(round_trips<uint8_t>(200));
  CHECK(round_trips(3.25));
  CHECK(round_trips(true) && round_trips(false));
  CHECK(round_trips(Point{7, -1.5}));
  CHECK(round_trips(std::string()));
  CHECK(round_trips(std::string("héllo, \0world", 14)));
  CHECK(round_trips(std::vector<int32_t>{1, 2, 3}));
  CHECK(round_trips(std::vector<Point>{{1, 2}, {3, 4}}));
  CHECK(round_trips(std::vector<std::string>{"a", "", "ccc"}));
  CHECK(round_trips(std::vector<std::vector<int>>{{}, {1}, {2, 3}}));
  CHECK(round_trips(std::vector<bool>{true, false, true}));
  CHECK(round_trips(std::optional<std::string>()));
  CHECK(round_trips(std::optional<std::string>("x")));
  CHECK(round_trips(std::optional<int>(4)));
  CHECK(round_trips(std::make_pair(std::string("k"), 9)));
  CHECK(round_trips(std::make_tuple(1, std::string("two"), 3.0, std::vector<char>{'4'})));

  Person ada{"Ada", {"math", "engines"}, {{"notes", 10}, {"bernoulli", 7}}};
  std::vector<uint8_t> bytes = lunatic::to_bytes(ada);
  std::optional<Person> back = lunatic::from_bytes<Person>(bytes.data(), bytes.size());
  CHECK(back && back->name == "Ada" && back->tags == ada.tags && back->scores == ada.scores);

  // Hostile bytes: short, trailing, forged counts, a bool that is neither 0 nor 1.
  CHECK(refused<int64_t>({1, 2, 3}));
  CHECK(refused<int32_t>({1, 2, 3, 4, 5}));
  CHECK(refused<std::string>({5, 0, 0, 0, 'a', 'b'}));
  CHECK(refused<std::vector<int64_t>>({0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8}));
  CHECK(refused<std::vector<std::string>>({0xff, 0xff, 0xff, 0x7f}));
  CHECK(refused<bool>({2}));
  CHECK(refused<std::optional<int>>({}));
  CHECK(refused<std::optional<std::string>>({3}));
  CHECK(refused<Person>({}));
  // Every truncation of a valid encoding is refused, none crashes.
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
    CHECK(refused<Person>(cut));
  }
  return check_result("sdk_serialize");
}
