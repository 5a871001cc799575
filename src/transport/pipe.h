/* pipe.h: the pipe transport. */
#ifndef MXLAB_TRANSPORT_PIPE_H
#define MXLAB_TRANSPORT_PIPE_H

#include "conf/driver.h"
#include "conf/opt.h"

struct transport_pipe {
    char *allow_commands;
    char *batch_id;
    int batch_max;
    char *check_string;
    char *command;
    char *environment;
    char *escape_string;
    int force_command;
    int freeze_exec_fail;
    int freeze_signal;
    int ignore_status;
    int log_defer_output;
    int log_fail_output;
    int log_output;
    int max_output;
    char *message_prefix;
    char *message_suffix;
    char *path;
    int permit_coredump;
    int pipe_as_creator;
    int restrict_to_path;
    int return_fail_output;
    int return_output;
    char *temp_errors;
    int timeout;
    int timeout_defer;
    int umask;
    int use_bsmtp;
    int use_classresources;
    int use_crlf;
    int use_shell;
};

extern const struct driver_info transport_pipe_info;

#endif
