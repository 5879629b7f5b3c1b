// Decoder: the "name" custom section's function names, read leniently.
#include <gtest/gtest.h>

#include "module_builder.hpp"

namespace lunatic::decoder::testing {
namespace {

Bytes name_section(const Bytes& subsections) { return section(0, cat({str("name"), subsections})); }

Bytes function_names(std::initializer_list<std::pair<uint32_t, std::string>> names) {
  Bytes content = uleb(names.size());
  for (const auto& [index, name] : names) content = cat({content, uleb(index), str(name)});
  return cat({{0x01}, uleb(content.size()), content});
}

TEST(DecodeNames, FunctionNames) {
  const Bytes module_name = cat({{0x00, 0x04}, str("mod")});  // subsection 0 is skipped
  auto m = decode_bytes(
      module({name_section(cat({module_name, function_names({{0, "main"}, {3, "helper"}})}))}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->function_names.size(), 2u);
  EXPECT_EQ(m->function_names.at(0), "main");
  EXPECT_EQ(m->function_name(3), "helper");
}

TEST(DecodeNames, BrokenNameSectionIsIgnored) {
  // Subsection size past the end, bad UTF-8, a truncated entry: all decode, without names.
  for (const Bytes& broken : {Bytes{0x01, 0x20, 0x01}, function_names({{0, "\xff"}}),
                              Bytes{0x01, 0x03, 0x02, 0x00, 0x00}}) {
    auto m = decode_bytes(module({name_section(broken)}));
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_TRUE(m->function_names.empty());
  }
}

TEST(DecodeNames, OtherCustomSectionsAreSkipped) {
  auto m = decode_bytes(module({section(0, cat({str("names"), function_names({{0, "x"}})}))}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_TRUE(m->function_names.empty());
}

}  // namespace
}  // namespace lunatic::decoder::testing
