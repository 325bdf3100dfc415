/*
 * mp_common.h - what the marketplace verbs share: the configuration,
 * $GGEN_HOME, ggen.db, and bringing the catalog in step with the central
 * registry (fetching or revalidating the index when its TTL is up, and
 * importing it when it changed), with the one warning line when the
 * registry is unreachable and the cache is used instead.
 */
#ifndef GG_CLI_MP_COMMON_H
#define GG_CLI_MP_COMMON_H

#include <jansson.h>

#include "cli/cli.h"
#include "config/config.h"
#include "market/catalog.h"
#include "market/registry.h"

struct gg_mp {
	struct gg_config *cfg;
	char home[4096];
	struct gg_db *db;
	int have_central;		 /* a registry is configured */
	struct gg_registry_status reg; /* when have_central */
};

enum {
	GG_MP_DB = 1u << 0,   /* open ggen.db */
	GG_MP_SYNC = 1u << 1  /* and sync the central index into it */
};

/* Load everything flags ask for; prints problems.  GG_EXIT_OK or
 * GG_EXIT_FAIL.  Close with gg_mp_close in either case. */
int gg_mp_open(struct gg_cli *cli, struct gg_mp *mp, unsigned flags);
void gg_mp_close(struct gg_mp *mp);
/* The registry options from the configuration. */
void gg_mp_registry_opts(const struct gg_mp *mp, struct gg_registry_opts *o);

/* "3 minutes", "2 hours", "5 days". */
void gg_mp_age(int64_t secs, char *out, size_t outsz);
/* Print one JSON document (steals j) and a newline; GG_EXIT_OK, or
 * GG_EXIT_FAIL when j is NULL (out of memory). */
int gg_mp_print_json(struct gg_cli *cli, json_t *j);
/* The JSON object of a catalog entry (name, version, description, id,
 * category, author, license, tags, keywords, dependencies, downloads,
 * stars, installable); NULL when out of memory. */
json_t *gg_mp_entry_json(const struct gg_catalog_entry *e);
/* A JSON array of source names for the GG_CAT_* bits. */
json_t *gg_mp_sources_json(unsigned bits);
/* "central, local" for the bits. */
void gg_mp_sources_str(unsigned bits, char *out, size_t outsz);

#endif
