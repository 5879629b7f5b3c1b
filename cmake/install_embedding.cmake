# Installs the embedding API (docs/embedding.md) for host programs built outside this tree:
#   PREFIX/lib/liblunatic_*.a                     lunatic_embed and the libraries below it
#   PREFIX/include/lunatic-host/lunatic/*.hpp     the public headers, and nothing else: they
#                                                 include only each other and the standard
#                                                 library (scripts/check_public_headers.py)
#   PREFIX/lib/cmake/lunatic/LunaticTargets.cmake lunatic::engine, lunatic::runtime
# The host headers live apart from the guest SDK's (PREFIX/include/lunatic), so that neither
# kind of program can include the other's by mistake.
set(LUNATIC_EMBED_LIBRARIES
  lunatic_common lunatic_wasm lunatic_decoder lunatic_validator lunatic_engine lunatic_binding
  lunatic_runtime lunatic_host_shared lunatic_wasi lunatic_host_process lunatic_host_message
  lunatic_host_error lunatic_host_timer lunatic_host_networking lunatic_host_registry
  lunatic_host_version lunatic_host_standard lunatic_embed lunatic_engine_api)
set(LUNATIC_HOST_INCLUDE include/lunatic-host)

set_target_properties(lunatic_engine_api PROPERTIES EXPORT_NAME engine)
set_target_properties(lunatic_embed PROPERTIES EXPORT_NAME runtime)
# The public headers use C++20 (std::span, concepts; no GNU extensions): consumers need it.
target_compile_features(lunatic_common INTERFACE cxx_std_20)
# Static libraries built with sanitizers need the sanitizer runtime in the final link.
if(LUNATIC_SANITIZE STREQUAL "address")
  target_link_options(lunatic_common INTERFACE $<INSTALL_INTERFACE:-fsanitize=address,undefined>)
elseif(LUNATIC_SANITIZE STREQUAL "thread")
  target_link_options(lunatic_common INTERFACE $<INSTALL_INTERFACE:-fsanitize=thread>)
endif()

install(TARGETS ${LUNATIC_EMBED_LIBRARIES} EXPORT LunaticTargets
        ARCHIVE DESTINATION lib
        INCLUDES DESTINATION ${LUNATIC_HOST_INCLUDE})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/lunatic DESTINATION ${LUNATIC_HOST_INCLUDE}
        FILES_MATCHING PATTERN "*.hpp")
install(EXPORT LunaticTargets NAMESPACE lunatic:: DESTINATION lib/cmake/lunatic)
