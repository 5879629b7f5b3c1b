// Puts another file on one of the test program's fds (0-2) for a scope, for the stdio tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

namespace lunatic::testing {

/// Puts `fd` on host fd `target` for the scope's duration (the original comes back after).
class Redirect {
 public:
  Redirect(int target, int fd) : target_(target), saved_(dup(target)) {
    EXPECT_GE(saved_, 0);
    EXPECT_EQ(dup2(fd, target), target);
  }
  ~Redirect() {
    dup2(saved_, target_);
    ::close(saved_);
  }
  Redirect(const Redirect&) = delete;
  Redirect& operator=(const Redirect&) = delete;

 private:
  int target_;
  int saved_;
};

}  // namespace lunatic::testing
