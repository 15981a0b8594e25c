# The include check of one stage (src/CMakeLists.txt, joindots_check_flow): fails when a file
# in src/FOLDER includes a header of a folder outside ALLOWED (a comma-separated list: FOLDER
# itself and the stages it uses, directly or through them), naming the file, the line and what
# the folder may use; touches STAMP otherwise. Run as `cmake -P` before the stage compiles.
cmake_minimum_required(VERSION 3.25)
string(REPLACE "," ";" allowed "${ALLOWED}")
file(GLOB_RECURSE files ${SRC}/${FOLDER}/*.cpp ${SRC}/${FOLDER}/*.hpp)
set(problems "")
foreach(file IN LISTS files)
  file(STRINGS ${file} includes REGEX "^#include \"[a-z_]+/")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" used "${line}")
    if(NOT used IN_LIST allowed)
      # The line number: the newlines before the include's first occurrence, plus one.
      file(READ ${file} text)
      string(FIND "${text}" "${line}" at)
      string(SUBSTRING "${text}" 0 ${at} before)
      string(REGEX MATCHALL "\n" newlines "${before}")
      list(LENGTH newlines line_number)
      math(EXPR line_number "${line_number} + 1")
      file(RELATIVE_PATH rel ${SRC} ${file})
      string(APPEND problems "  src/${rel}:${line_number}: ${line}: src/${FOLDER} may not use ${used}/\n")
    endif()
  endforeach()
endforeach()
if(problems)
  list(JOIN allowed ", " allowed_text)
  message(FATAL_ERROR "src/${FOLDER} includes against the flow (src/README.md); it may use ${allowed_text}:\n"
                      "${problems}"
                      "Move the shared code down the flow, or (if the flow itself should change) add the stage to "
                      "its USES in src/CMakeLists.txt and to the picture in src/README.md.")
endif()
file(TOUCH ${STAMP})
