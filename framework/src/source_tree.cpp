#include "exp/source_tree.hpp"

#include <cstdio>
#include <optional>

namespace xp {
namespace {

// The path as one single-quoted shell word.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The standard output of a git command in tree, or nothing when git fails.
std::optional<std::string> git_output(const std::filesystem::path& tree, const std::string& args) {
  const std::string command =
      "git -C " + shell_quoted(tree.string()) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  char buffer[4096];
  for (std::size_t read; (read = fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
    output.append(buffer, read);
  }
  if (pclose(pipe) != 0) return std::nullopt;
  return output;
}

}  // namespace

SourceRevision source_revision(const std::filesystem::path& tree) {
  SourceRevision revision;
  std::optional<std::string> commit = git_output(tree, "rev-parse HEAD");
  if (!commit) return revision;
  while (!commit->empty() && (commit->back() == '\n' || commit->back() == '\r')) commit->pop_back();
  if (commit->size() != 40) return revision;
  const std::optional<std::string> changes = git_output(tree, "status --porcelain");
  if (!changes) return revision;
  revision.commit = *commit;
  revision.dirty = !changes->empty();
  return revision;
}

}  // namespace xp
