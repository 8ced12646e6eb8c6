// The folder one run writes: runs/<experiment>/<UTC YYYYmmddTHHMMSSZ>-<6 hex>/.
// It is created exclusively (never reused) and files are never overwritten, except
// summary.json, which is replaced atomically so a reader never sees half of it.
//
//   auto run = xp::RunDirectory::create("runs", "mnist");
//   run.write_new("config.yaml", config.to_yaml_text());
//   run.replace_atomically("summary.json", summary.to_json());
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace xp {

class RunDirectory {
 public:
  // Throws xp::Error if the folder cannot be made; a name collision retries with a new id.
  static RunDirectory create(const std::filesystem::path& runs_root, const std::string& experiment);
  // An existing run folder, to continue (exp resume); throws xp::Error if there is none.
  static RunDirectory open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }
  // "20240131T120000Z-a1b2c3": the run's name within its experiment.
  std::string id() const { return path_.filename().string(); }

  // Writes a file that must not exist yet.
  void write_new(const std::string& name, const std::string& text) const;
  // Writes to a temporary file in the same folder, then renames it over name.
  void replace_atomically(const std::string& name, const std::string& text) const;
  // Creates (if needed) and returns a subfolder.
  std::filesystem::path folder(const std::string& name) const;

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// The arguments as one line a POSIX shell reads back as the same words.
std::string shell_quoted(const std::vector<std::string>& arguments);

}  // namespace xp
