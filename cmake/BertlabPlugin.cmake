# bertlab_add_plugin(<target> KIND <kind> NAME <name> SOURCES <files>...
#                    [LIBRARIES <libs>...] [OUTPUT_DIRECTORY <dir>] [NO_INSTALL])
#
# Builds one plugin as a shared module named libbertlab-<kind>-<name>.so, linked
# against the bertlab SDK (and through it LibTorch), C++20, installed into the
# plugin directory. Used in-tree and by out-of-tree plugins after
# find_package(bertlab).
function(bertlab_add_plugin target)
  cmake_parse_arguments(PLUGIN "NO_INSTALL" "KIND;NAME;OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT PLUGIN_KIND OR NOT PLUGIN_NAME OR NOT PLUGIN_SOURCES)
    message(FATAL_ERROR "bertlab_add_plugin(${target}): KIND, NAME and SOURCES are required")
  endif()
  set(_kinds tokenizer head augmentation searcher pruner)
  if(NOT PLUGIN_KIND IN_LIST _kinds)
    message(FATAL_ERROR "bertlab_add_plugin(${target}): KIND '${PLUGIN_KIND}' is not one of ${_kinds}")
  endif()
  add_library(${target} MODULE ${PLUGIN_SOURCES})
  target_link_libraries(${target} PRIVATE bertlab::sdk ${PLUGIN_LIBRARIES})
  target_compile_features(${target} PRIVATE cxx_std_20)
  # Only the two entry points need to be visible; hidden inlines keep plugins
  # from interposing each other's template instances.
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "bertlab-${PLUGIN_KIND}-${PLUGIN_NAME}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(TARGET bertlab_warnings)
    target_link_libraries(${target} PRIVATE bertlab_warnings)
  endif()
  if(PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${PLUGIN_OUTPUT_DIRECTORY}")
  elseif(DEFINED BERTLAB_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${BERTLAB_PLUGIN_OUTPUT_DIR}")
  endif()
  if(PLUGIN_NO_INSTALL)
    return()
  endif()
  # In-tree, `bertlab_plugins` builds every shipped plugin (the tests need them).
  if(TARGET bertlab_plugins)
    add_dependencies(bertlab_plugins ${target})
  endif()
  if(DEFINED BERTLAB_PLUGIN_INSTALL_DIR)
    set(_dest "${BERTLAB_PLUGIN_INSTALL_DIR}")
  else()
    set(_dest "lib/bertlab/plugins")
  endif()
  install(TARGETS ${target} LIBRARY DESTINATION "${_dest}" COMPONENT plugins)
endfunction()
