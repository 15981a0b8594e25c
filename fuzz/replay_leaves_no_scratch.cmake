# CTest driver for fuzz.<target>.seeds: replays the seeds with TMPDIR set to an empty folder
# of its own and fails if the target fails or leaves anything in it (its scratch files must be
# removed at a normal exit). Arguments: -DTARGET=<executable> -DSEEDS=<folder> -DSCRATCH=<folder>
file(REMOVE_RECURSE "${SCRATCH}")
file(MAKE_DIRECTORY "${SCRATCH}")
set(ENV{TMPDIR} "${SCRATCH}")
execute_process(COMMAND "${TARGET}" "${SEEDS}" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TARGET} ${SEEDS} exited with ${status}")
endif()
file(GLOB left "${SCRATCH}/*")
if(left)
  message(FATAL_ERROR "${TARGET} left scratch files in TMPDIR: ${left}")
endif()
file(REMOVE_RECURSE "${SCRATCH}")
