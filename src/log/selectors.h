/* selectors.h: every log_selector name, one line each:
 * X(name, on by default) */
#ifndef MXLAB_LOG_SELECTORS_H
#define MXLAB_LOG_SELECTORS_H

#define LOG_SELECTORS(X)                                                       \
    X(8bitmime, 0)                                                             \
    X(acl_warn_skipped, 1)                                                     \
    X(address_rewrite, 0)                                                      \
    X(arguments, 0)                                                            \
    X(connection_id, 0)                                                        \
    X(connection_reject, 1)                                                    \
    X(delay_delivery, 1)                                                       \
    X(deliver_time, 0)                                                         \
    X(delivery_size, 0)                                                        \
    X(dkim, 1)                                                                 \
    X(dkim_verbose, 0)                                                         \
    X(etrn, 1)                                                                 \
    X(host_lookup_failed, 1)                                                   \
    X(incoming_interface, 0)                                                   \
    X(incoming_port, 0)                                                        \
    X(lost_incoming_connection, 1)                                             \
    X(millisec, 0)                                                             \
    X(msg_id, 1)                                                               \
    X(msg_id_created, 0)                                                       \
    X(outgoing_interface, 1)                                                   \
    X(outgoing_port, 0)                                                        \
    X(pid, 0)                                                                  \
    X(pipelining, 0)                                                           \
    X(protocol_detail, 0)                                                      \
    X(proxy, 0)                                                                \
    X(queue_run, 1)                                                            \
    X(queue_time, 0)                                                           \
    X(queue_time_overall, 0)                                                   \
    X(receive_time, 0)                                                         \
    X(received_recipients, 0)                                                  \
    X(received_sender, 0)                                                      \
    X(rejected_header, 1)                                                      \
    X(retry_defer, 1)                                                          \
    X(return_path_on_delivery, 0)                                              \
    X(sender_on_delivery, 0)                                                   \
    X(size_reject, 1)                                                          \
    X(skip_delivery, 1)                                                        \
    X(smtp_confirmation, 1)                                                    \
    X(smtp_connection, 0)                                                      \
    X(smtp_incomplete_transaction, 0)                                          \
    X(smtp_mailauth, 0)                                                        \
    X(smtp_no_mail, 0)                                                         \
    X(smtp_protocol_error, 0)                                                  \
    X(smtp_syntax_error, 0)                                                    \
    X(subject, 0)                                                              \
    X(tls_certificate_verified, 1)                                             \
    X(tls_cipher, 1)                                                           \
    X(tls_on_connect, 0)                                                       \
    X(tls_peerdn, 0)                                                           \
    X(tls_sni, 0)

#define LOG_SEL_ENUM(name, on) LS_##name,
enum log_sel { LOG_SELECTORS(LOG_SEL_ENUM) LS_COUNT };
#undef LOG_SEL_ENUM

#endif
