#pragma once
// Test helpers for Result and Status.

#include <gtest/gtest.h>

#include "base/result.hpp"

#define ASSERT_OK(expr)                                                          \
  do {                                                                           \
    const auto& assert_ok_result_ = (expr);                                      \
    ASSERT_TRUE(assert_ok_result_.ok()) << assert_ok_result_.error().message();  \
  } while (false)

#define EXPECT_ERROR_CODE(expr, expected_code)                                        \
  do {                                                                                \
    const auto& expect_error_result_ = (expr);                                        \
    ASSERT_FALSE(expect_error_result_.ok()) << "expected an error, got success";      \
    EXPECT_EQ(expect_error_result_.error().code(), (expected_code))                   \
        << expect_error_result_.error().message();                                   \
  } while (false)
