# Installs `exp`, libexp, the public headers, the plugins (each plugin installs
# itself through exp_add_plugin) and a CMake package, so that a plugin built outside
# this tree needs only:
#   find_package(exp REQUIRED)
#   exp_add_plugin(loss huber huber_loss.cpp)
include(CMakePackageConfigHelpers)

# Installed binaries find libexp relative to themselves, wherever the prefix is.
set_target_properties(exp PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
file(GLOB EXP_INSTALLED_PLUGINS LIST_DIRECTORIES false RELATIVE "${PROJECT_SOURCE_DIR}/plugins"
     "${PROJECT_SOURCE_DIR}/plugins/*/*/CMakeLists.txt")
foreach(listfile IN LISTS EXP_INSTALLED_PLUGINS)
  get_filename_component(dir "${listfile}" DIRECTORY)
  string(REPLACE "/" "_" target "exp_${dir}")
  if(TARGET ${target})
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/../..")
  endif()
endforeach()

install(TARGETS exp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS exp_framework EXPORT expTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY framework/include/exp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(EXP_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/exp")
install(EXPORT expTargets NAMESPACE exp:: DESTINATION "${EXP_CMAKE_DIR}")
configure_package_config_file(cmake/expConfig.cmake.in "${CMAKE_CURRENT_BINARY_DIR}/expConfig.cmake"
                              INSTALL_DESTINATION "${EXP_CMAKE_DIR}")
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/expConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/expConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/expConfigVersion.cmake"
              cmake/ExpPlugin.cmake
        DESTINATION "${EXP_CMAKE_DIR}")
