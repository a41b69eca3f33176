# The one place for warning flags.
function(orchard_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O3 reports false -Wrestrict/-Wstringop-* positives inside libstdc++'s
    # std::string (GCC bugs 105329, 105651); they are not about our code.
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow -Wno-stringop-overread)
  endif()
  if(ORCHARD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

option(ORCHARD_TSAN "Build with ThreadSanitizer" OFF)
option(ORCHARD_COVERAGE "Build with gcov coverage" OFF)
if(ORCHARD_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(ORCHARD_COVERAGE)
  add_compile_options(--coverage)
  add_link_options(--coverage)
endif()
if(ORCHARD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
