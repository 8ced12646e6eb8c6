#include "exp/run_log.hpp"

#include <cstring>

#include "exp/error.hpp"

namespace xp {

RunLog::RunLog(std::ostream& console)
    : console_(console),
      tee_(console),
      stream_(&tee_),
      file_side_(tee_),
      file_stream_(&file_side_) {}

RunLog::~RunLog() {
  stream_.flush();
  file_stream_.flush();
}

void RunLog::open(const std::filesystem::path& file) { tee_.open(file); }

void RunLog::flush() { stream_.flush(); }

void RunLog::Tee::open(const std::filesystem::path& file) {
  file_.open(file, std::ios::out | std::ios::app);
  if (!file_) throw Error(file.string() + ": cannot write (" + std::strerror(errno) + ")");
  file_ << early_;
  early_.clear();
}

int RunLog::Tee::sync() {
  console_.flush();
  if (file_.is_open()) file_.flush();
  return 0;
}

RunLog::Tee::int_type RunLog::Tee::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  xsputn(&ch, 1);
  return c;
}

std::streamsize RunLog::Tee::xsputn(const char* text, std::streamsize count) {
  console_.write(text, count);
  record(text, count);
  return count;
}

void RunLog::Tee::record(const char* text, std::streamsize count) {
  if (file_.is_open()) {
    file_.write(text, count);
  } else {
    early_.append(text, std::size_t(count));
  }
}

RunLog::FileSide::int_type RunLog::FileSide::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  tee_.record(&ch, 1);
  return c;
}

std::streamsize RunLog::FileSide::xsputn(const char* text, std::streamsize count) {
  tee_.record(text, count);
  return count;
}

}  // namespace xp
