/* fuzz_index.c - check index.json documents.  Invariants: the parser never
 * crashes; a document is either accepted (every entry handed out once,
 * with a valid name and version and a checksum flag matching the text) or
 * refused with a message that starts with "index.json". */
#include <stddef.h>
#include <stdint.h>

#include "market/index.h"
#include "market/manifest.h"
#include "market/semver.h"
#include "util/error.h"

struct ctx {
	size_t n;
};

static int each(void *arg, size_t i, const struct gg_index_pkg *p)
{
	struct ctx *c = arg;

	if (i != c->n || !gg_pkg_name_valid(p->name) ||
	    !gg_semver_valid(p->version) || p->ntags > GG_INDEX_MAX_LIST ||
	    p->downloads < 0 || p->stars < 0 || !p->description)
		__builtin_trap();
	c->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_index_info info;
	struct ctx c = { 0 };
	int rc;

	if (size > (1u << 20))
		return 0;
	rc = gg_index_parse(data, size, each, &c, &info, &err);
	if (rc == 0 && c.n != info.npackages)
		__builtin_trap();
	if (rc && strncmp(gg_buf_cstr(&err), "index.json", 10))
		__builtin_trap();
	gg_buf_release(&err);
	return 0;
}
