// A plugin author's mistakes, one per build of this file (EXP_MISTAKE_<name> chooses,
// EXP_PLUGIN_NAME names it): each must be refused or reported with the plugin file
// named, never crash exp.
//   throws_int           the factory throws something that is not a std::exception
//   null_object          the factory returns nullptr
//   duplicate_parameter  two parameters with one name
//   bad_default          a default its own type refuses
//   null_entry           the entry point is exported as a null pointer
//   shadow               a second "optimizer sgd" (same kind and name as the real one)
//   exits_on_load        a static constructor calls exit(0)
//   aborts_on_load       a static constructor aborts
// Built with other flags instead (tests/plugins/CMakeLists.txt): _GLIBCXX_DEBUG, Eigen
// aligned to 16 bytes (refused), and -march=x86-64 (accepted: its state, allocated
// here, is freed by exp).
#include <boost/config.hpp>
#include <cstdlib>

#include "exp/optimizer.hpp"

namespace {

#if EXP_MISTAKE_exits_on_load
const int kQuit = (std::exit(0), 0);
#elif EXP_MISTAKE_aborts_on_load
const int kQuit = (std::abort(), 0);
#endif

class Still final : public xp::Optimizer {
 public:
  void step(xp::Vector& theta, const xp::Vector&) override { theta *= 0.5; }
  xp::NamedVectors state() const override { return {{"halved", xp::Vector::Constant(33, 0.5)}}; }
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
#if EXP_MISTAKE_throws_int
  throw 42;
#elif EXP_MISTAKE_null_object
  return nullptr;
#else
  return std::make_unique<Still>();
#endif
}

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "lr", .type = xp::ParameterType::real, .default_value = "0.1", .meaning = "a rate"},
#if EXP_MISTAKE_duplicate_parameter
    {.name = "lr", .type = xp::ParameterType::real, .default_value = "0.2", .meaning = "again"},
#elif EXP_MISTAKE_bad_default
    {.name = "steps",
     .type = xp::ParameterType::integer,
     .default_value = "fast",
     .meaning = "an integer whose default is a word"},
#endif
};

[[maybe_unused]] const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = EXP_PLUGIN_NAME,
                                     .version = "0.0.1",
                                     .summary = "a plugin author's mistake",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

#if EXP_MISTAKE_null_entry
extern "C" BOOST_SYMBOL_EXPORT const void* exp_plugin_info;
const void* exp_plugin_info = nullptr;
#else
EXP_PLUGIN(info)
#endif
