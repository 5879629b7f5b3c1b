/* Shared by the lunatic C headers: the attribute that declares a host import. */
#ifndef LUNATIC_IMPORT_H
#define LUNATIC_IMPORT_H

#include <stddef.h>
#include <stdint.h>

/* LUNATIC_IMPORT(module, name): the function is the host function `module::name`. */
#define LUNATIC_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

/* What receive and send_receive_skip_search return when the timeout passed. */
#define LUNATIC_TIMED_OUT 9027

/* A timeout that never passes (receive, send_receive_skip_search). */
#define LUNATIC_NO_TIMEOUT UINT64_MAX

#endif
