/*
 * config_impl.h - what config.c (values, checks, flags) and config_load.c
 * (reading the TOML file) share.  Not for use outside src/config.
 */
#ifndef GG_CONFIG_IMPL_H
#define GG_CONFIG_IMPL_H

#include "config/config.h"

#define GG_CFG_MAX_ITEM 1024 /* one list item (a multiaddr) */

struct cfg_val {
	char *s;      /* STR */
	int64_t i;    /* INT, BOOL */
	double f;     /* FLOAT */
	char **list;  /* lists: n items then NULL */
	int n;
	char *source; /* "default", "FILE:LINE", ... */
};

struct gg_config {
	char *file;
	size_t n;
	struct cfg_val v[]; /* parallel to the key table */
};

/* Where problems go while values are checked. */
struct gg_cfg_ctx {
	struct gg_buf *err, *warn;
	int nerr;
};

/* Append one line to b (may be NULL); lines are separated by '\n'. */
void gg_cfg_line(struct gg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A TOML basic string with quotes, backslashes and controls escaped. */
int gg_cfg_quote(struct gg_buf *b, const char *s);
char *gg_cfg_strdup(const char *s);

/* Each check appends "WHERE: key 'K' must be ..., not SHOWN" to x->err,
 * counts it and returns GG_ECONFIG, or returns 0. */
int gg_cfg_bad(struct gg_cfg_ctx *x, const char *where,
	       const struct gg_config_key *k, const char *shown);
int gg_cfg_check_str(struct gg_cfg_ctx *x, const char *where,
		     const struct gg_config_key *k, const char *s, size_t len,
		     const char *shown);
int gg_cfg_check_item(struct gg_cfg_ctx *x, const char *where,
		      const struct gg_config_key *k, const char *s,
		      size_t len);
int gg_cfg_check_int(struct gg_cfg_ctx *x, const char *where,
		     const struct gg_config_key *k, int64_t i,
		     const char *shown);
int gg_cfg_check_float(struct gg_cfg_ctx *x, const char *where,
		       const struct gg_config_key *k, double f,
		       const char *shown);
/* Replace the value of k (already checked) and its source.  nv->s for
 * STR, items[0..nv->n) for lists, nv->i / nv->f otherwise. */
int gg_cfg_store(struct gg_config *c, const struct gg_config_key *k,
		 const struct cfg_val *nv, const char *const *items,
		 const char *source);

#endif
