// Result<T> and Error for lunatic's own layers: the public types (include/lunatic/result.hpp,
// shared with embedders) plus the TRY macro, which embedders do not need.
#pragma once

#include <lunatic/result.hpp>

/// TRY(expr): evaluate a Result; on error return the Error from the enclosing function (whose
/// return type must be constructible from Error), else yield the value. A GNU statement
/// expression (g++ and clang), the one macro the project allows itself for error plumbing.
#define TRY(expr)                                                 \
  ({                                                              \
    auto&& try_result_ = (expr);                                  \
    if (!try_result_.ok()) return std::move(try_result_).error(); \
    std::move(try_result_).value();                               \
  })
