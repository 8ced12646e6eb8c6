// Writing a file so that it is either whole or absent, even when the disk fills or
// the machine stops: the bytes go to a temporary file in the same folder, which is
// flushed to the disk (fsync), closed (checking the close: some file systems report
// a full disk only then) and renamed over the name; then the folder itself is
// flushed, so that the rename survives a crash. A failure removes the temporary file
// and throws WriteError naming the file and the reason.
//
//   xp::write_durably(run.file("params/W1.npy"), bytes);
//   xp::sync_folder(run.path());   // after removing a file, before relying on it
#pragma once

#include <filesystem>
#include <string_view>

#include "exp/error.hpp"

namespace xp {

// A file could not be written (a full disk, a quota, an I/O error): the run that
// hits it ends `failed` with the reason, and keeps its checkpoint.
class WriteError : public Error {
 public:
  using Error::Error;
  ~WriteError() override;
};

void write_durably(const std::filesystem::path& file, std::string_view bytes);

// The second half of write_durably, for a temporary file someone else wrote (gnuplot):
// flushes it, renames it over file and flushes the folder.
void commit_durably(const std::filesystem::path& temporary, const std::filesystem::path& file);

// Flushes a folder's entries (creations, renames, removals) to the disk.
void sync_folder(const std::filesystem::path& folder);

}  // namespace xp
