// What a run prints goes to the console and, once the run directory exists, to its
// log.txt as well (with everything printed before the file was opened).
//
//   xp::RunLog log(std::cout);
//   log.stream() << "loading...\n";
//   log.open(run.file("log.txt"));   // "loading..." is written to the file too
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

namespace xp {

class RunLog {
 public:
  explicit RunLog(std::ostream& console);
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  std::ostream& stream() { return stream_; }
  // The console alone: a progress line redrawn in place belongs there, not in the file.
  std::ostream& console() { return console_; }
  // log.txt alone (kept in memory until open()): the plain lines that stand for what
  // the console shows another way.
  std::ostream& file() { return file_stream_; }
  void open(const std::filesystem::path& file);
  void flush();

 private:
  class Tee : public std::streambuf {
   public:
    explicit Tee(std::ostream& console) : console_(console) {}
    void open(const std::filesystem::path& file);
    int sync() override;
    void record(const char* text, std::streamsize count);  // to the file only

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* text, std::streamsize count) override;

   private:
    std::ostream& console_;
    std::ofstream file_;
    std::string early_;  // printed before the file was opened
  };
  // Writes what it is given to the Tee's file side only.
  class FileSide : public std::streambuf {
   public:
    explicit FileSide(Tee& tee) : tee_(tee) {}
    int sync() override { return tee_.pubsync(); }

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* text, std::streamsize count) override;

   private:
    Tee& tee_;
  };
  std::ostream& console_;
  Tee tee_;
  std::ostream stream_;
  FileSide file_side_;
  std::ostream file_stream_;
};

}  // namespace xp
