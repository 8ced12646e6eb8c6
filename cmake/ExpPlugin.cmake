# exp_add_plugin(KIND NAME SOURCES...): one plugin library, exp_<kind>_<name>.so.
# Used in this tree and, through the installed CMake package, by plugins built
# outside it. The file name lets the loader find a plugin by kind and name without
# opening every library.
function(exp_add_plugin kind name)
  set(target exp_${kind}_${name})
  add_library(${target} MODULE ${ARGN})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "exp_${kind}_${name}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # A plugin project that sets no build type would otherwise compile without
  # optimisation: the finite-difference loops call plugins millions of times.
  target_compile_options(${target} PRIVATE $<$<CONFIG:>:-O2>)
  if(TARGET exp_framework)
    target_link_libraries(${target} PRIVATE exp_framework)
  else()
    target_link_libraries(${target} PRIVATE exp::framework)
  endif()
  if(DEFINED EXP_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${EXP_PLUGIN_OUTPUT_DIRECTORY}")
  endif()
  if(DEFINED EXP_PLUGIN_SUBDIR AND NOT EXP_PLUGIN_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${EXP_PLUGIN_SUBDIR}")
  endif()
endfunction()
