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
  void open(const std::filesystem::path& file);
  void flush();

 private:
  class Tee : public std::streambuf {
   public:
    explicit Tee(std::ostream& console) : console_(console) {}
    void open(const std::filesystem::path& file);
    int sync() override;

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* text, std::streamsize count) override;

   private:
    std::ostream& console_;
    std::ofstream file_;
    std::string early_;  // printed before the file was opened
  };
  Tee tee_;
  std::ostream stream_;
};

}  // namespace xp
