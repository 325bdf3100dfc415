/*
 * semver.h - SemVer 2.0 versions, version requirements and dependency
 * strings (DESIGN §5 "Versions and requirements", ADR-009).
 *
 * Versions are parsed strictly: MAJOR.MINOR.PATCH with no leading zeros,
 * an optional pre-release (-alpha.1) and build metadata (+sha.5114f85),
 * identifiers from [0-9A-Za-z-], numeric pre-release identifiers without
 * leading zeros.  Precedence follows the SemVer 2.0 spec (build metadata
 * ignored).
 *
 * Requirements follow cargo's semantics with one difference taken from
 * DESIGN §5: a bare version ("1.2.0") means exactly that version, as
 * "=1.2.0" does; cargo would read it as "^1.2.0".  Operators: = > >= < <=
 * ~ ^, wildcards "*", "1.*", "1.2.*" (also x / X), partial versions
 * ("^1.2", ">=1"), and comma-separated conjunctions (">=1.2, <2").  A
 * pre-release version matches only when every comparator matches and at
 * least one comparator names the same MAJOR.MINOR.PATCH with a
 * pre-release of its own, so ">=1.0.0" never selects "2.0.0-rc.1".
 */
#ifndef GG_MARKET_SEMVER_H
#define GG_MARKET_SEMVER_H

#include <stddef.h>
#include <stdint.h>

/* Longest accepted version text, and so the room for pre/build. */
#define GG_SEMVER_MAX 128
/* Longest accepted requirement text and most comparators in one. */
#define GG_REQ_MAX_TEXT 256
#define GG_REQ_MAX_COMPS 8

struct gg_semver {
	uint64_t major, minor, patch;
	char pre[GG_SEMVER_MAX];   /* without the '-'; "" for a release */
	char build[GG_SEMVER_MAX]; /* without the '+'; "" when none */
};

/* Parse the whole of s (NUL-terminated).  0, or GG_EPARSE with *why (when
 * why is not NULL) set to a static phrase such as "leading zero in MINOR"
 * or "not MAJOR.MINOR.PATCH". */
int gg_semver_parse(const char *s, struct gg_semver *out, const char **why);
/* Precedence: <0, 0, >0 (build metadata ignored, so 1.0.0+a == 1.0.0+b). */
int gg_semver_cmp(const struct gg_semver *a, const struct gg_semver *b);
/* Canonical text "1.2.3-pre+build"; its length or GG_ETOOBIG. */
int gg_semver_to_str(const struct gg_semver *v, char *out, size_t outsz);
/* 1 when s is a valid SemVer 2.0 version, else 0. */
int gg_semver_valid(const char *s);

enum gg_req_op {
	GG_REQ_EXACT,	 /* =1.2.3, bare 1.2.3 */
	GG_REQ_GREATER,	 /* >1.2.3 */
	GG_REQ_GREATER_EQ,
	GG_REQ_LESS,
	GG_REQ_LESS_EQ,
	GG_REQ_TILDE,	 /* ~1.2.3 */
	GG_REQ_CARET,	 /* ^1.2.3 */
	GG_REQ_WILDCARD	 /* 1.*, 1.2.* */
};

struct gg_req_comp {
	enum gg_req_op op;
	uint64_t major, minor, patch;
	int has_minor, has_patch; /* partial versions: "^1", ">=1.2" */
	char pre[GG_SEMVER_MAX];  /* "" when none; needs a full version */
};

/* A conjunction of comparators; n == 0 is "*" (any release). */
struct gg_semver_req {
	int n;
	struct gg_req_comp c[GG_REQ_MAX_COMPS];
};

/* Parse a requirement.  "" and "*" give n == 0.  0, or GG_EPARSE with
 * *why set to a static phrase naming the rule broken. */
int gg_semver_req_parse(const char *s, struct gg_semver_req *out,
			const char **why);
/* 1 when v satisfies req (cargo rules, pre-release rule above), else 0. */
int gg_semver_req_matches(const struct gg_semver_req *req,
			  const struct gg_semver *v);

/*
 * The index in versions[0..n) of the highest version satisfying req, or
 * GG_ENOTFOUND.  req NULL means "no requirement": the highest release
 * (never a pre-release).  Strings that are not valid versions are skipped.
 */
int gg_semver_pick(const char *const *versions, size_t n,
		   const struct gg_semver_req *req);

/* A dependency string "name" (any version) or "name@requirement". */
struct gg_dep {
	char name[65];               /* valid per gg_pkg_name_valid */
	char req_text[GG_REQ_MAX_TEXT]; /* as written, "" when none */
	int has_req;
	struct gg_semver_req req;    /* n == 0 when !has_req */
};

/* 0, or GG_EPARSE with *why set (the name or the requirement rule). */
int gg_dep_parse(const char *s, struct gg_dep *out, const char **why);

#endif
