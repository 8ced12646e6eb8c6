// Which source code a run was built from: the git commit of the source tree, and
// whether the tree differed from it (uncommitted or untracked files), since a
// commit alone does not reproduce a run built from a dirty tree.
//
//   xp::SourceRevision source = xp::source_revision(EXP_SOURCE_DIR);
//   // source.commit == "467b2ed..." (40 hex digits) or "unknown"; source.dirty
#pragma once

#include <filesystem>
#include <string>

namespace xp {

struct SourceRevision {
  std::string commit = "unknown";  // "unknown" when the tree is not a git checkout
  bool dirty = false;              // false also when unknown: nothing to compare with
};

// Asks git about tree; never throws (a run without git is still a run).
SourceRevision source_revision(const std::filesystem::path& tree);

}  // namespace xp
