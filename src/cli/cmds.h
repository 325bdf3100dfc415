/*
 * cmds.h - every command descriptor, one per file (cmd_*.c), listed in
 * table.c.  Keep both lists in the order of the help output.
 */
#ifndef GG_CMDS_H
#define GG_CMDS_H

#include "cli/cli.h"

/* top level */
extern const struct gg_cmd gg_cmd_completions;
extern const struct gg_cmd gg_cmd_version;
extern const struct gg_cmd gg_cmd_manpage;

/* marketplace */
extern const struct gg_cmd gg_cmd_mp_search;
extern const struct gg_cmd gg_cmd_mp_info;
extern const struct gg_cmd gg_cmd_mp_install;
extern const struct gg_cmd gg_cmd_mp_list;
extern const struct gg_cmd gg_cmd_mp_remove;
extern const struct gg_cmd gg_cmd_mp_publish;
extern const struct gg_cmd gg_cmd_mp_gc;
extern const struct gg_cmd gg_cmd_mp_pack;

/* marketplace registry */
extern const struct gg_cmd gg_cmd_mp_registry_build;

/* marketplace p2p */
extern const struct gg_cmd gg_cmd_p2p_start;
extern const struct gg_cmd gg_cmd_p2p_stop;
extern const struct gg_cmd gg_cmd_p2p_status;
extern const struct gg_cmd gg_cmd_p2p_peer_list;
extern const struct gg_cmd gg_cmd_p2p_peer_info;
extern const struct gg_cmd gg_cmd_p2p_ping;
extern const struct gg_cmd gg_cmd_p2p_bootstrap;
extern const struct gg_cmd gg_cmd_p2p_dht;

/* marketplace p2p config */
extern const struct gg_cmd gg_cmd_config_show;
extern const struct gg_cmd gg_cmd_config_init;
extern const struct gg_cmd gg_cmd_config_validate;
extern const struct gg_cmd gg_cmd_config_path;
extern const struct gg_cmd gg_cmd_config_docs;

#endif
