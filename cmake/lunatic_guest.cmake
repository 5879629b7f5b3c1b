# lunatic_add_guest(NAME SOURCES... [FLAGS flags...]) for this project's own guests (tests,
# examples): the SDK's helper, which users get installed too (sdk/cmake/LunaticGuest.cmake).
include(${PROJECT_SOURCE_DIR}/sdk/cmake/LunaticGuest.cmake)
