/*
 * cli_config.h - loading the configuration from a command: the CLI side
 * of src/config/config.h, which prints what the core only reports.
 */
#ifndef GG_CLI_CONFIG_H
#define GG_CLI_CONFIG_H

#include "cli/cli.h"
#include "config/config.h"

/* Load with cli->config_path; prints warnings (unless -q) and errors;
 * returns GG_EXIT_OK or GG_EXIT_FAIL. */
int gg_cli_config(struct gg_cli *cli, struct gg_config **out);

/* Print each line of msgs (as filled by gg_config_load) as one warning
 * (unless -q) or one error. */
void gg_cli_config_print(struct gg_cli *cli, const struct gg_buf *msgs,
			 int warning);

/* Apply the LIST options --listen and --bootstrap, when the verb has them
 * and they were given, to network.listen_addresses and
 * network.bootstrap_nodes (a list given by flags replaces the configured
 * list).  Prints the problem; GG_EXIT_OK or GG_EXIT_FAIL. */
int gg_cli_config_flags(struct gg_cli *cli, const struct gg_args *a,
			struct gg_config *c);

/* The two options of gg_cli_config_flags, for a verb's option list. */
#define GG_OPT_LISTEN                                                    \
	{ "listen", 0, GG_OPT_LIST, "MULTIADDR",                         \
	  "Listen on this address (repeatable; replaces the configured " \
	  "list)" }
#define GG_OPT_BOOTSTRAP                                                 \
	{ "bootstrap", 0, GG_OPT_LIST, "MULTIADDR",                      \
	  "Contact this peer at start (repeatable; replaces the "        \
	  "configured list)" }

#endif
