#include "version.hpp"

#include "exp/build_info.hpp"
#include "exp/source_tree.hpp"

namespace xp::cli {

namespace {

// The widest vector path the mlp's kernels can take here (they choose at run time).
const char* vector_instructions() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "AVX-512";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "AVX2 + FMA";
  return "baseline x86-64 (no AVX2)";
}

}  // namespace

void print_version(std::ostream& out) {
  const BuildInfo& build = build_info();
  out << "exp";
  for (const auto& [name, version] : build.libraries) {
    if (name == "exp") out << " " << version;
  }
  const SourceRevision source = source_revision(EXP_SOURCE_DIR);
  out << "\nsource: " << EXP_SOURCE_DIR << ", commit " << source.commit
      << (source.dirty ? " with uncommitted changes" : "") << "\nbuild: " << build.build_type
      << ", " << build.compiler << ", " << build.flags << "\nlibraries:";
  for (const auto& [name, version] : build.libraries) {
    if (name != "exp") out << " " << name << " " << version << ";";
  }
#ifdef EXP_WITH_MPI
  out << " MPI";
#else
  out << " no MPI";
#endif
  out << "\nvector instructions on this CPU: " << vector_instructions() << "\n";
}

}  // namespace xp::cli
