/*++
 * NAME
 *	pipe 3
 * SUMMARY
 *	the pipe transport
 * SYNOPSIS
 *	#include "transport/pipe.h"
 *
 *	extern const struct driver_info transport_pipe_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP. The generic transport_filter is refused on this
 *	driver (transport_check_no_filter()).
 *--*/

#include <stddef.h>

#include "transport/pipe.h"
#include "transport/transport.h"

static const struct opt_def transport_pipe_defs[] = {
    {"allow_commands", OPT_EXPANDED,
     offsetof(struct transport_pipe, allow_commands), OPT_UNIMPL},
    {"batch_id", OPT_EXPANDED, offsetof(struct transport_pipe, batch_id),
     OPT_UNIMPL},
    {"batch_max", OPT_INT, offsetof(struct transport_pipe, batch_max),
     OPT_UNIMPL},
    {"check_string", OPT_STRING, offsetof(struct transport_pipe, check_string),
     0},
    {"command", OPT_EXPANDED, offsetof(struct transport_pipe, command), 0},
    {"environment", OPT_EXPANDED, offsetof(struct transport_pipe, environment),
     0},
    {"escape_string", OPT_STRING,
     offsetof(struct transport_pipe, escape_string), 0},
    {"force_command", OPT_BOOL, offsetof(struct transport_pipe, force_command),
     OPT_UNIMPL},
    {"freeze_exec_fail", OPT_BOOL,
     offsetof(struct transport_pipe, freeze_exec_fail), OPT_UNIMPL},
    {"freeze_signal", OPT_BOOL, offsetof(struct transport_pipe, freeze_signal),
     0},
    {"ignore_status", OPT_BOOL, offsetof(struct transport_pipe, ignore_status),
     0},
    {"log_defer_output", OPT_BOOL,
     offsetof(struct transport_pipe, log_defer_output), 0},
    {"log_fail_output", OPT_BOOL,
     offsetof(struct transport_pipe, log_fail_output), 0},
    {"log_output", OPT_BOOL, offsetof(struct transport_pipe, log_output), 0},
    {"max_output", OPT_MKINT, offsetof(struct transport_pipe, max_output), 0},
    {"message_prefix", OPT_EXPANDED,
     offsetof(struct transport_pipe, message_prefix), 0},
    {"message_suffix", OPT_EXPANDED,
     offsetof(struct transport_pipe, message_suffix), 0},
    {"path", OPT_EXPANDED, offsetof(struct transport_pipe, path), 0},
    {"permit_coredump", OPT_BOOL,
     offsetof(struct transport_pipe, permit_coredump), OPT_UNIMPL},
    {"pipe_as_creator", OPT_BOOL,
     offsetof(struct transport_pipe, pipe_as_creator), OPT_UNIMPL},
    {"restrict_to_path", OPT_BOOL,
     offsetof(struct transport_pipe, restrict_to_path), OPT_UNIMPL},
    {"return_fail_output", OPT_BOOL,
     offsetof(struct transport_pipe, return_fail_output), OPT_UNIMPL},
    {"return_output", OPT_BOOL, offsetof(struct transport_pipe, return_output),
     0},
    {"temp_errors", OPT_STRING, offsetof(struct transport_pipe, temp_errors),
     0},
    {"timeout", OPT_TIME, offsetof(struct transport_pipe, timeout), 0},
    {"timeout_defer", OPT_BOOL, offsetof(struct transport_pipe, timeout_defer),
     0},
    {"umask", OPT_OCTAL, offsetof(struct transport_pipe, umask), 0},
    {"use_bsmtp", OPT_BOOL, offsetof(struct transport_pipe, use_bsmtp),
     OPT_UNIMPL},
    {"use_classresources", OPT_BOOL,
     offsetof(struct transport_pipe, use_classresources), OPT_UNIMPL},
    {"use_crlf", OPT_BOOL, offsetof(struct transport_pipe, use_crlf), 0},
    {"use_shell", OPT_BOOL, offsetof(struct transport_pipe, use_shell), 0},
};

static const struct transport_pipe transport_pipe_defaults = {
    .batch_max = 1,
    .max_output = 20480,
    .path = "/bin:/usr/bin",
    .temp_errors = "73:75",
    .timeout = 3600,
    .umask = 022,
};

const struct driver_info transport_pipe_info = {
    "pipe",
    OPT_TABLE("pipe", transport_pipe_defs, struct transport_pipe,
              &transport_pipe_defaults),
    transport_check_no_filter,
};
