// Self-check over the official suite: every .wast (SIMD ones apart) parses as a script, its modules
// encode to binaries the decoder and validator accept, its malformed text modules fail to
// parse and its invalid modules parse (the validator then rejects them).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "decoder/decoder.hpp"
#include "text/text.hpp"
#include "validator/validator.hpp"

namespace lunatic::text {
namespace {

namespace fs = std::filesystem;

fs::path spec_dir() {
  if (const char* env = std::getenv("LUNATIC_SPEC_DIR")) return env;
  return LUNATIC_SPEC_DIR;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Counts {
  size_t files = 0, modules = 0, malformed_text = 0, invalid = 0, failures = 0;
  size_t message_mismatches = 0, compared = 0, identical = 0;
};

// Optional: with LUNATIC_TEXT_COMPARE_DIR set to a folder of wast2json output (DIR/X/X.json
// and its .wasm files), modules are compared byte for byte with wabt's encoding. The JSON is
// scanned for module commands by line, which is all this needs.
std::map<uint32_t, std::vector<uint8_t>> wabt_modules(const std::string& name) {
  std::map<uint32_t, std::vector<uint8_t>> out;
  const char* dir = std::getenv("LUNATIC_TEXT_COMPARE_DIR");
  if (!dir) return out;
  fs::path folder = fs::path(dir) / name;
  std::ifstream in(folder / (name + ".json"));
  std::string line;
  // Lines like {"type": "module", "line": 12, "name": "$M", "filename": "x.0.wasm"}. (Not
  // std::regex: g++ 12 warns inside it under -fsanitize, and warnings are errors.)
  const std::string kModule = "\"type\": \"module\", \"line\": ";
  const std::string kFile = "\"filename\": \"";
  while (std::getline(in, line)) {
    size_t at = line.find(kModule);
    if (at == std::string::npos) continue;
    size_t digits = at + kModule.size();
    size_t file = line.find(kFile, digits);
    if (file == std::string::npos) continue;
    size_t file_end = line.find('"', file + kFile.size());
    if (file_end == std::string::npos) continue;
    uint32_t number = static_cast<uint32_t>(std::strtoul(line.c_str() + digits, nullptr, 10));
    std::string bytes =
        read_file(folder / line.substr(file + kFile.size(), file_end - file - kFile.size()));
    out[number] = std::vector<uint8_t>(bytes.begin(), bytes.end());
  }
  return out;
}

void note(Counts& c, const std::string& what) {
  if (++c.failures <= 40) ADD_FAILURE() << what;
}

Result<void> decode_and_validate(const std::vector<uint8_t>& bytes) {
  auto module = TRY(decoder::decode(bytes));
  return validator::validate(module);
}

void check_file(const fs::path& file, Counts& c) {
  std::string source = read_file(file);
  std::string name = file.filename().string();
  auto script = parse_script(source);
  if (!script) {
    note(c, name + ": " + script.error().message + " at " + script.error().context);
    return;
  }
  ++c.files;
  auto wabt = wabt_modules(file.stem().string());
  for (const Command& cmd : script->commands) {
    if (!cmd.module) continue;
    std::string where = name + ":" + std::to_string(cmd.line) + " ";
    const ScriptModule& m = *cmd.module;
    bool text = m.form != ScriptModule::Form::Binary;
    if (cmd.type == CommandType::AssertMalformed) {
      if (!text) continue;
      ++c.malformed_text;
      auto r = module_binary(m);
      if (r) {
        note(c, where + "malformed module parsed: " + cmd.text);
      } else if (r.error().message.find(cmd.text) == std::string::npos) {
        ++c.message_mismatches;
        if (std::getenv("LUNATIC_TEXT_VERBOSE")) {
          std::cout << where << "expected \"" << cmd.text << "\", got \"" << r.error().message
                    << "\" at " << r.error().context << "\n";
        }
      }
      continue;
    }
    auto bytes = module_binary(m);
    if (!bytes) {
      note(c, where + "does not parse: " + bytes.error().message + " at " + bytes.error().context);
      continue;
    }
    if (cmd.type == CommandType::AssertInvalid) {
      ++c.invalid;
      if (decode_and_validate(*bytes)) note(c, where + "invalid module validates: " + cmd.text);
      continue;
    }
    ++c.modules;
    if (cmd.type == CommandType::Module && wabt.count(cmd.line)) {
      ++c.compared;
      if (wabt[cmd.line] == *bytes)
        ++c.identical;
      else if (const char* dump = std::getenv("LUNATIC_TEXT_DUMP_DIR")) {
        // For a look with wasm2wat: ours and wabt's encoding of the same module.
        std::string base = std::string(dump) + "/" + name + "." + std::to_string(cmd.line);
        std::ofstream(base + ".ours.wasm", std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes->data()),
                   static_cast<std::streamsize>(bytes->size()));
        std::ofstream(base + ".wabt.wasm", std::ios::binary)
            .write(reinterpret_cast<const char*>(wabt[cmd.line].data()),
                   static_cast<std::streamsize>(wabt[cmd.line].size()));
      }
    }
    // Unlinkable and uninstantiable modules still decode and validate.
    if (auto r = decode_and_validate(*bytes); !r) {
      note(c, where + "rejected: " + r.error().message);
    }
  }
}

/// Checks every script of the suite whose name does (or does not) start with "simd_".
void check_scripts(bool simd) {
  fs::path dir = spec_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no spec suite at " << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string n = entry.path().filename().string();
    if (entry.path().extension() == ".wast" && n.starts_with("simd_") == simd) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  Counts c;
  for (const fs::path& f : files) check_file(f, c);
  std::cout << "spec self-check: " << c.files << "/" << files.size() << " scripts parsed, "
            << c.modules << " modules encoded, " << c.malformed_text << " malformed text modules ("
            << c.message_mismatches << " with another message than expected), " << c.invalid
            << " invalid modules, " << c.failures << " failures";
  if (c.compared) std::cout << "; " << c.identical << "/" << c.compared << " identical to wabt";
  std::cout << "\n";
  EXPECT_EQ(c.files, files.size());
  EXPECT_EQ(c.failures, 0u);
}

TEST(SpecSelfCheck, EveryNonSimdScript) { check_scripts(false); }

TEST(SpecSelfCheck, EverySimdScript) { check_scripts(true); }

// Hostile input: truncated and byte-mutated scripts must fail cleanly, never crash or hang.
TEST(SpecSelfCheck, MutatedScriptsFailCleanly) {
  fs::path dir = spec_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no spec suite at " << dir;
  uint64_t seed = 0x9E3779B97F4A7C15u;
  auto rnd = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  const char kBytes[] = "()\";$ \n0x_.-+e:ai(;;)";
  size_t parsed = 0;
  for (const char* name : {"block.wast", "elem.wast", "if.wast", "float_literals.wast",
                           "comments.wast", "br_table.wast", "data.wast", "imports.wast",
                           "simd_const.wast", "simd_lane.wast", "simd_load8_lane.wast"}) {
    std::string source = read_file(dir / name);
    if (source.empty()) continue;
    for (int i = 0; i < 60; ++i) {
      std::string s = source.substr(0, rnd() % source.size());
      for (int k = 0; k < 4 && !s.empty(); ++k) s[rnd() % s.size()] = kBytes[rnd() % 20];
      auto script = parse_script(s);
      if (!script) continue;
      ++parsed;
      for (const Command& cmd : script->commands) {
        if (cmd.module) (void)module_binary(*cmd.module);
      }
    }
  }
  SUCCEED() << parsed << " mutated scripts still parsed";
}

}  // namespace
}  // namespace lunatic::text
