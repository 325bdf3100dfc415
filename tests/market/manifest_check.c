/*
 * manifest_check.c - test helper: parse each package.toml given on the
 * command line and print "ok NAME VERSION" or the error, one line per
 * file.  Exits 0 when every file was accepted, 1 otherwise.
 */
#include <stdio.h>

#include "market/manifest.h"
#include "util/error.h"

int main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		struct gg_buf err = GG_BUF_INIT(4096);
		struct gg_manifest m;
		int rc = gg_manifest_load(argv[i], &m, &err);

		if (rc) {
			printf("error %s\n", gg_buf_cstr(&err));
			bad = 1;
		} else {
			printf("ok %s %s\n", m.name, m.version);
		}
		gg_manifest_release(&m);
		gg_buf_release(&err);
	}
	return bad;
}
