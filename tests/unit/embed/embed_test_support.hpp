// What both tests of the public embedding API share.
#pragma once

#include <gtest/gtest.h>

#include <lunatic/module.hpp>

#include <string_view>

#include "text/text.hpp"

namespace lunatic::testing {

/// `wat` compiled through the public API; the test fails on an error.
inline Module module_of(std::string_view wat) {
  auto bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  auto module = compile(*bytes);
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  return module.ok() ? *module : Module();
}

}  // namespace lunatic::testing
