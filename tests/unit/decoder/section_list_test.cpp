// list_sections: the section table of a binary, custom sections by name, bounds checked.
#include "decoder/section_list.hpp"

#include <gtest/gtest.h>

#include "module_builder.hpp"

namespace lunatic::decoder::testing {
namespace {

TEST(SectionList, ListsSectionsInFileOrderWithOffsetsAndCustomNames) {
  Bytes producers = section(0, cat({str("producers"), Bytes{0x00}}));
  Bytes bytes = module({void_type_section(), producers, func_section(1)});
  Result<std::vector<SectionInfo>> list = list_sections(bytes);
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, 1);
  EXPECT_EQ((*list)[0].name, "type");
  EXPECT_EQ((*list)[0].offset, 8u);
  EXPECT_EQ((*list)[0].size, 4u);
  EXPECT_EQ((*list)[1].id, 0);
  EXPECT_EQ((*list)[1].name, "producers");
  EXPECT_EQ((*list)[1].offset, 8u + 6u);
  EXPECT_EQ((*list)[1].size, 11u);
  EXPECT_EQ((*list)[2].name, "function");
}

TEST(SectionList, EmptyModuleHasNoSections) {
  Result<std::vector<SectionInfo>> list = list_sections(module({}));
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST(SectionList, RejectsBadHeadersAndSizesPastTheEnd) {
  EXPECT_FALSE(list_sections(Bytes{0x00, 0x61, 0x73}).ok());
  EXPECT_FALSE(list_sections(Bytes{0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00}).ok());
  Bytes truncated = module({void_type_section()});
  truncated.pop_back();
  Result<std::vector<SectionInfo>> list = list_sections(truncated);
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().message, "length out of bounds");
  // A custom section whose name runs past its size.
  Bytes bad_name = module({section(0, Bytes{0x05, 'a'})});
  EXPECT_FALSE(list_sections(bad_name).ok());
}

TEST(SectionList, NamesEveryStandardSectionId) {
  EXPECT_STREQ(section_name(0), "custom");
  EXPECT_STREQ(section_name(10), "code");
  EXPECT_STREQ(section_name(12), "data count");
  EXPECT_STREQ(section_name(13), "unknown");
}

}  // namespace
}  // namespace lunatic::decoder::testing
