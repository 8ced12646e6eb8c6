# install rules: filled in with the CMake package
