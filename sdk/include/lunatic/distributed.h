/* lunatic::distributed: Erlang distribution (docs/distribution.md). When the runtime is a
 * node (lunatic run --name / --sname), an Erlang term sent to a process arrives as a message
 * tagged LUNATIC_TERM_TAG whose data is the term's external format (version byte 131 first);
 * a message tagged so whose data is one such term can be sent to a remote process id (from
 * lunatic_pid_to_id) with lunatic_send, and reaches Erlang as the term; a message with another
 * tag reaches a lunatic process as sent, an Erlang one as {'$lunatic', Tag, <<Data>>}. See
 * docs/guest-abi.md. */
#ifndef LUNATIC_DISTRIBUTED_H
#define LUNATIC_DISTRIBUTED_H

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tag of a message that carries an Erlang term ("ERLTERM\0"). */
#define LUNATIC_TERM_TAG ((int64_t)0x45524C5445524D00LL)
/* What the distributed functions return when the runtime is not a node. */
#define LUNATIC_NOT_DISTRIBUTED (-1)

/* Writes this node's name ("alive@host") to out if it fits; returns its length, or
 * LUNATIC_NOT_DISTRIBUTED. */
LUNATIC_IMPORT("lunatic::distributed", "node_name")
int32_t lunatic_node_name(uint8_t* out, size_t out_len);
/* Turns a pid term (version byte first) into a process id lunatic_send delivers to: 0 and
 * *id written, 1 not one pid term, 2 no id for it (an earlier run of this node, or the node's
 * table of remote pids is full), or LUNATIC_NOT_DISTRIBUTED. */
LUNATIC_IMPORT("lunatic::distributed", "pid_to_id")
int32_t lunatic_pid_to_id(const uint8_t* pid_term, size_t pid_term_len, uint64_t* id);
/* Writes the pid term of process `process_id` (local, or remote from lunatic_pid_to_id) to
 * out if it fits; returns its length, -2 for an unknown remote id, or
 * LUNATIC_NOT_DISTRIBUTED. */
LUNATIC_IMPORT("lunatic::distributed", "id_to_pid")
int32_t lunatic_id_to_pid(uint64_t process_id, uint8_t* out, size_t out_len);

/* Writes the names of the nodes connected now, each followed by a NUL byte, to out if they
 * fit; returns their length in bytes, or LUNATIC_NOT_DISTRIBUTED. */
LUNATIC_IMPORT("lunatic::distributed", "nodes")
int32_t lunatic_nodes(uint8_t* out, size_t out_len);
/* on != 0: this process gets {nodeup, Node} and {nodedown, Node} (terms, LUNATIC_TERM_TAG)
 * as connections to other nodes are made and lost; 0: no more. Returns 0, 1 when too many
 * processes watch nodes already, or LUNATIC_NOT_DISTRIBUTED. */
LUNATIC_IMPORT("lunatic::distributed", "monitor_nodes")
int32_t lunatic_monitor_nodes(int32_t on);

/* The tag lunatic::spawn_on (distributed.hpp) gives the answer of a remote spawn. */
#define LUNATIC_SPAWN_REPLY_TAG ((int64_t)0x535041574E524550LL)
/* Asks node `node` to run the exported function `function` (i64 parameters: args, at most
 * 16) of `module` (module_len 0: the caller's own module) in a new process; the answer comes
 * as a message tagged reply_tag whose data is the term {ok, Pid} (lunatic_get_process_id: its
 * remote id) or {error, Reason}. Returns 0 asked, 1 not possible, 2 too many spawns waiting,
 * 3 the caller's own module is unknown, 4 the module is over 16 MiB, or
 * LUNATIC_NOT_DISTRIBUTED. */
LUNATIC_IMPORT("lunatic::distributed", "spawn")
int32_t lunatic_spawn_remote(const char* node, size_t node_len, const uint8_t* module,
                             size_t module_len, const char* function, size_t function_len,
                             const int64_t* args, size_t args_len, int64_t reply_tag);

/* lunatic_spawn_remote with Erlang's spawn_opt options: LUNATIC_SPAWN_LINK links the new
 * process to the caller (its link-died message tagged link_tag), LUNATIC_SPAWN_MONITOR makes
 * the caller monitor it (process-died tagged monitor_tag); both are in place before the new
 * process runs and before the answer arrives. Returns as lunatic_spawn_remote (1 for unknown
 * option bits). */
#define LUNATIC_SPAWN_LINK 1
#define LUNATIC_SPAWN_MONITOR 2
LUNATIC_IMPORT("lunatic::distributed", "spawn_opt")
int32_t lunatic_spawn_remote_opt(const char* node, size_t node_len, const uint8_t* module,
                                 size_t module_len, const char* function, size_t function_len,
                                 const int64_t* args, size_t args_len, int64_t reply_tag,
                                 int32_t options, int64_t link_tag, int64_t monitor_tag);

#ifdef __cplusplus
}
#endif

#endif
