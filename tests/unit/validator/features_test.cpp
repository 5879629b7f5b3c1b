// Validator: the module-level rules of proposals: several tables (reference types), importing
// and exporting mutable globals (mutable globals).
#include <gtest/gtest.h>

#include "module_builder.hpp"
#include "validator/validator.hpp"
#include "wasm/features.hpp"

namespace lunatic::validator::test {
namespace {

using wasm::Feature;
using wasm::Features;

/// The validation error under `features` ("" when valid), checking its phase.
std::string check_with(ModuleBuilder& b, const Features& features) {
  auto r = validate(b.module(), features);
  if (r.ok()) return "";
  EXPECT_EQ(r.error().phase, Phase::Validate);
  return r.error().message + " [" + r.error().context + "]";
}

Features without(Feature f) { return Features().set(f, false); }

TEST(ValidatorFeatures, SeveralTablesNeedReferenceTypes) {
  ModuleBuilder b;
  b.table(ValType::FuncRef, 1);
  b.table(ValType::FuncRef, 1);
  EXPECT_EQ(check_with(b, Features()), "");
  EXPECT_EQ(check_with(b, without(Feature::ReferenceTypes)),
            "reference types are disabled (feature reference-types) [table 1]");
  ModuleBuilder one;
  one.table(ValType::FuncRef, 1);
  EXPECT_EQ(check_with(one, Features::mvp()), "");
}

TEST(ValidatorFeatures, MutableGlobalImport) {
  ModuleBuilder b;
  b.import_global(ValType::I32, true);
  EXPECT_EQ(check_with(b, Features()), "");
  EXPECT_EQ(check_with(b, without(Feature::MutableGlobals)),
            "import and export of mutable globals is disabled (feature mutable-globals) "
            "[import \"m\" \"g\"]");
  ModuleBuilder constant;
  constant.import_global(ValType::I32, false);
  EXPECT_EQ(check_with(constant, Features::mvp()), "");
}

TEST(ValidatorFeatures, MutableGlobalExport) {
  ModuleBuilder b;
  b.global(ValType::I32, true, {op(Opcode::I32Const)});
  b.export_("g", wasm::ExternKind::Global, 0);
  EXPECT_EQ(check_with(b, Features()), "");
  EXPECT_EQ(check_with(b, without(Feature::MutableGlobals)),
            "import and export of mutable globals is disabled (feature mutable-globals) "
            "[export \"g\"]");
  ModuleBuilder constant;
  constant.global(ValType::I32, false, {op(Opcode::I32Const)});
  constant.export_("g", wasm::ExternKind::Global, 0);
  EXPECT_EQ(check_with(constant, Features::mvp()), "");
}

}  // namespace
}  // namespace lunatic::validator::test
