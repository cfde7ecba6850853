#include "auth/initial_password.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "storage/test_database.h"

namespace poise::auth {
namespace {

TEST(InitialPassword, IsWrittenForTheOwnerAndRemovedOnlyWithItsOwnPassword) {
  storage::TempDir dir;
  ASSERT_TRUE(writeInitialPassword(dir.path(), "first-generated-password"));
  const auto path = initialPasswordPath(dir.path());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(forgetInitialPassword(dir.path(), "another-password"));
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(forgetInitialPassword(dir.path(), "first-generated-password"));
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(forgetInitialPassword(dir.path(), "first-generated-password"));
  EXPECT_FALSE(forgetInitialPassword({}, "first-generated-password"));
}

}  // namespace
}  // namespace poise::auth
