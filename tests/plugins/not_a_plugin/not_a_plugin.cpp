// An ordinary shared library with the name of a plugin but no entry point.
extern "C" int exp_not_a_plugin_answer() { return 42; }
