/*
 * table.c - the table of nouns and verbs.  A verb enters it only when it
 * does its job.
 */
#include <stddef.h>

#include "cli/cmds.h"

static const struct gg_cmd *const p2p_config_subs[] = {
	&gg_cmd_config_show,
	&gg_cmd_config_init,
	&gg_cmd_config_validate,
	&gg_cmd_config_path,
	&gg_cmd_config_docs,
	NULL
};

static const struct gg_cmd gg_cmd_p2p_config = {
	.name = "config",
	.summary = "Show, write and check the configuration",
	.subs = p2p_config_subs,
};

static const struct gg_cmd *const p2p_subs[] = {
	&gg_cmd_p2p_start,
	&gg_cmd_p2p_stop,
	&gg_cmd_p2p_status,
	&gg_cmd_p2p_peer_list,
	&gg_cmd_p2p_peer_info,
	&gg_cmd_p2p_ping,
	&gg_cmd_p2p_bootstrap,
	&gg_cmd_p2p_dht,
	&gg_cmd_p2p_config,
	NULL
};

static const struct gg_cmd gg_cmd_p2p = {
	.name = "p2p",
	.summary = "Run and query the peer-to-peer node",
	.subs = p2p_subs,
};

static const struct gg_cmd *const registry_subs[] = {
	&gg_cmd_mp_registry_build,
	NULL
};

static const struct gg_cmd gg_cmd_registry = {
	.name = "registry",
	.summary = "Build a central registry index",
	.subs = registry_subs,
};

static const struct gg_cmd *const marketplace_subs[] = {
	&gg_cmd_mp_search,
	&gg_cmd_mp_info,
	&gg_cmd_mp_install,
	&gg_cmd_mp_list,
	&gg_cmd_mp_remove,
	&gg_cmd_mp_publish,
	&gg_cmd_mp_gc,
	&gg_cmd_mp_pack,
	&gg_cmd_registry,
	&gg_cmd_p2p,
	NULL
};

static const char *const marketplace_aliases[] = { "mp", NULL };

static const struct gg_cmd gg_cmd_marketplace = {
	.name = "marketplace",
	.aliases = marketplace_aliases,
	.summary = "Find, publish and install template packages",
	.subs = marketplace_subs,
};

static const struct gg_cmd *const root_subs[] = {
	&gg_cmd_marketplace,
	&gg_cmd_completions,
	&gg_cmd_version,
	&gg_cmd_manpage,
	NULL
};

const struct gg_cmd gg_cmd_root = {
	.name = "ggen",
	.summary = "A peer-to-peer marketplace for code-generation template "
		   "packages",
	.help = "ggen finds, publishes and installs template packages from a "
		"central registry\n(a static JSON index) and a libp2p "
		"peer-to-peer network, verifying every\npackage by the SHA-256 "
		"of its content.",
	.subs = root_subs,
};
