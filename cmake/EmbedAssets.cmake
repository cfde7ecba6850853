# embed_assets(<target> FUNCTION <name> URL_PREFIX <prefix> [DIR <dir>] [FILES <file>...]
#              [IMMUTABLE <regex>])
# embed_assets(<target> FUNCTION <name> URL_PREFIX <prefix> BUILD_DIR <dir> STAMP <file>
#              [DEPENDS <target>...] [IMMUTABLE <regex>])
#
# Builds the static library <target> holding every file of DIR (recursively, relative paths kept)
# and every file of FILES (by base name) as static assets served under URL_PREFIX, and a function
#   std::span<const poise::http::StaticAsset> poise::assets::<name>();
# that lists them (http/static_assets.h). The bytes go into the object file with the assembler's
# .incbin, so a megabyte-sized bundle costs no more to build than a small one. Each asset carries
# its content type, a strong ETag (from its SHA-256) and, for compressible files above 1 KiB, a
# gzip copy made at build time. Files whose URL path (without URL_PREFIX) matches IMMUTABLE are
# fingerprinted: served with a year-long immutable cache lifetime.
#
# BUILD_DIR is for a directory that a build step fills (the web console's bundle, whose file names
# change with every build): its files are listed when the library is generated, at build time, not
# at configure time. Dotfiles and dot-directories are left out. STAMP is a file the step rewrites
# whenever the directory's content changes (and only then); the library is regenerated when it
# does. DEPENDS names the targets that run the step, so they run first.
set(POISE_EMBED_ASSETS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_assets_generate.cmake)

function(embed_assets target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "FUNCTION;URL_PREFIX;DIR;IMMUTABLE;BUILD_DIR;STAMP"
                        "FILES;DEPENDS")
  if(NOT ARG_FUNCTION OR NOT ARG_URL_PREFIX)
    message(FATAL_ERROR "embed_assets(${target}): FUNCTION and URL_PREFIX are required")
  endif()
  if(ARG_BUILD_DIR)
    if(NOT ARG_STAMP OR ARG_DIR OR ARG_FILES)
      message(FATAL_ERROR "embed_assets(${target}): BUILD_DIR takes STAMP, and neither DIR nor FILES")
    endif()
    _embed_assets_rule(${target} "${ARG_BUILD_DIR}" "" "" "${ARG_STAMP}" "${ARG_DEPENDS}")
    return()
  endif()
  set(files "")
  set(urls "")
  if(ARG_DIR)
    file(GLOB_RECURSE dir_files LIST_DIRECTORIES false CONFIGURE_DEPENDS "${ARG_DIR}/*")
    list(SORT dir_files)
    foreach(f ${dir_files})
      file(RELATIVE_PATH rel "${ARG_DIR}" "${f}")
      list(APPEND files "${f}")
      list(APPEND urls "${rel}")
    endforeach()
  endif()
  foreach(f ${ARG_FILES})
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "embed_assets(${target}): ${f} does not exist")
    endif()
    get_filename_component(base "${f}" NAME)
    list(APPEND files "${f}")
    list(APPEND urls "${base}")
  endforeach()
  if(NOT files)
    message(FATAL_ERROR "embed_assets(${target}): no files to embed")
  endif()

  _embed_assets_rule(${target} "" "${files}" "${urls}" "" "")
endfunction()

# The generating rule and the library. Either `build_dir` (listed at build time, regenerated when
# `stamp` changes, after the `depends` targets) or `files` with their `urls` (listed now).
function(_embed_assets_rule target build_dir files urls stamp depends)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${target})
  set(manifest ${work}/manifest.cmake)
  set(output ${work}/${target}.cpp)
  # Rewritten only when it changes, so a reconfigure alone rebuilds nothing.
  file(CONFIGURE OUTPUT ${manifest} CONTENT
"set(ASSET_DIR \"${build_dir}\")
set(ASSET_FILES \"${files}\")
set(ASSET_URLS \"${urls}\")
set(ASSET_FUNCTION \"${ARG_FUNCTION}\")
set(ASSET_URL_PREFIX \"${ARG_URL_PREFIX}\")
set(ASSET_IMMUTABLE \"${ARG_IMMUTABLE}\")
set(ASSET_SYMBOL \"${target}\")
set(ASSET_WORK_DIR \"${work}\")
" @ONLY)
  if(build_dir)
    # The files are unknown until the step has run: the stamp stands for them. (The generated
    # source names each file's SHA-256, so the object changes whenever a file does.)
    set(inputs ${stamp})
    set(comment "Embedding ${target} (${ARG_URL_PREFIX}, from ${build_dir})")
  else()
    set(inputs ${files})
    set(comment "Embedding ${target} (${ARG_URL_PREFIX})")
  endif()
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DMANIFEST=${manifest} -DOUTPUT=${output}
            -P ${POISE_EMBED_ASSETS_SCRIPT}
    DEPENDS ${inputs} ${depends} ${manifest} ${POISE_EMBED_ASSETS_SCRIPT}
    COMMENT "${comment}"
    VERBATIM)
  add_library(${target} STATIC ${output})
  # The object holds the files' bytes through .incbin: rebuild it when one changes. (The
  # generated source names each file's SHA-256 too, so ccache never serves a stale object.)
  set_source_files_properties(${output} PROPERTIES OBJECT_DEPENDS "${inputs}")
  target_link_libraries(${target} PUBLIC poise_http)
endfunction()
