// Parsing and matching the skip list (see skiplist.hpp).
#include "spec/skiplist.hpp"

#include <fnmatch.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace lunatic::spec {
namespace {

std::string_view trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

bool glob_matches(const std::string& glob, std::string_view name) {
  return fnmatch(glob.c_str(), std::string(name).c_str(), 0) == 0;
}

}  // namespace

Result<SkipList> SkipList::parse(std::string_view text) {
  SkipList list;
  uint32_t list_line = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view raw = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++list_line;

    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return "skip list line " + std::to_string(list_line) + ": "; };
    size_t hash = line.find('#');
    std::string_view reason = hash == std::string_view::npos ? "" : trim(line.substr(hash + 1));
    if (reason.empty()) return Error(Phase::Usage, where() + "an entry needs '# reason'");

    SkipEntry entry;
    entry.pattern = std::string(trim(line.substr(0, hash)));
    entry.reason = std::string(reason);
    if (entry.pattern.find_first_of(" \t") != std::string::npos) {
      return Error(Phase::Usage, where() + "one pattern per line");
    }
    size_t colon = entry.pattern.rfind(':');
    entry.file_glob = entry.pattern.substr(0, colon);
    if (colon != std::string::npos) {
      std::string_view digits = std::string_view(entry.pattern).substr(colon + 1);
      uint32_t n = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        return Error(Phase::Usage, where() + "bad line number in '" + entry.pattern + "'");
      }
      entry.line = n;
    }
    if (entry.file_glob.empty()) return Error(Phase::Usage, where() + "empty file pattern");
    list.entries_.push_back(std::move(entry));
  }
  return list;
}

Result<SkipList> SkipList::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error(Phase::Host, "cannot open skip list " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str());
}

const SkipEntry* SkipList::match_file(std::string_view file_name) const {
  for (const SkipEntry& e : entries_) {
    if (!e.line && glob_matches(e.file_glob, file_name)) return &e;
  }
  return nullptr;
}

const SkipEntry* SkipList::match_command(std::string_view file_name, uint32_t line) const {
  for (const SkipEntry& e : entries_) {
    if (e.line == line && glob_matches(e.file_glob, file_name)) return &e;
  }
  return nullptr;
}

}  // namespace lunatic::spec
