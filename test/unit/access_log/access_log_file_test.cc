// The access log file writer: lines reach the file through the writer
// thread, a reopen after a rename starts a new file, the buffer is bounded.
#include "access_log/access_log_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace switchyard::access_log {
namespace {

class AccessLogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/access_log_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string contents(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::string dir_;
};

TEST_F(AccessLogFileTest, AppendedLinesAreWrittenByFlush) {
  std::string path = dir_ + "/access.log";
  std::string error;
  auto file = AccessLogFile::open(path, &error);
  ASSERT_TRUE(file) << error;
  EXPECT_TRUE(file->append("one\n"));
  EXPECT_TRUE(file->append("two\n"));
  file->flush();
  EXPECT_EQ(contents(path), "one\ntwo\n");
}

TEST_F(AccessLogFileTest, DestructionWritesWhatIsPending) {
  std::string path = dir_ + "/access.log";
  std::string error;
  {
    auto file = AccessLogFile::open(path, &error);
    ASSERT_TRUE(file) << error;
    for (int i = 0; i < 1000; ++i) file->append("line\n");
  }
  EXPECT_EQ(contents(path).size(), 5000u);
}

TEST_F(AccessLogFileTest, ReopenAfterARenameWritesToANewFile) {
  std::string path = dir_ + "/access.log";
  std::string error;
  auto file = AccessLogFile::open(path, &error);
  ASSERT_TRUE(file) << error;
  file->append("before\n");
  file->flush();
  std::filesystem::rename(path, path + ".1");
  file->reopen();
  file->append("after\n");
  file->flush();
  EXPECT_EQ(contents(path + ".1"), "before\n");
  EXPECT_EQ(contents(path), "after\n");
}

TEST_F(AccessLogFileTest, AFullBufferDropsAndCountsLines) {
  // A FIFO nobody reads: the writer blocks on its first write, so the
  // buffer fills up behind it.
  std::string path = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  // The pipe's capacity varies by kernel and settings; ask for what it holds.
  int pipe_bytes = fcntl(reader, F_GETPIPE_SZ);
  ASSERT_GT(pipe_bytes, 0);
  std::string error;
  auto file = AccessLogFile::open(path, &error);
  ASSERT_TRUE(file) << error;
  std::string line(1024, 'x');
  line.back() = '\n';
  size_t accepted = 0;
  for (size_t i = 0; i < 2 * AccessLogFile::kMaxPendingBytes / line.size(); ++i) accepted += file->append(line);
  EXPECT_GT(file->droppedLines(), 0u);
  // Bounded: what the pipe took, one batch the blocked writer holds (taken
  // from the buffer whole, so at most the buffer's limit), and the buffer.
  EXPECT_LE(accepted * line.size(), 2 * AccessLogFile::kMaxPendingBytes + size_t(pipe_bytes));
  // Drain the pipe so that the writer can finish and the file close.
  std::thread drain([&] {
    char buffer[65536];
    int flags = fcntl(reader, F_GETFL);
    fcntl(reader, F_SETFL, flags & ~O_NONBLOCK);
    while (read(reader, buffer, sizeof buffer) > 0) {
    }
  });
  file.reset();
  drain.join();
  ::close(reader);
}

TEST_F(AccessLogFileTest, AnUnwritablePathIsAnErrorWithTheReason) {
  std::string error;
  EXPECT_FALSE(AccessLogFile::open(dir_ + "/missing/dir/access.log", &error));
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace switchyard::access_log
