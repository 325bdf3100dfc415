/* fuzz_manifest.c - parse package.toml text; an accepted manifest must
 * have a valid name, a SemVer version and parsable dependencies, and
 * must convert to JSON. */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "market/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_buf err = GG_BUF_INIT(4096);
	struct gg_manifest m;
	json_t *j = NULL;
	size_t i;

	if (gg_manifest_parse((const char *)data, size, "fuzz.toml", &m,
			      &err) == 0) {
		if (!gg_pkg_name_valid(m.name) || !gg_semver_valid(m.version))
			__builtin_trap();
		for (i = 0; i < m.ndeps; i++) {
			struct gg_dep d;

			if (gg_dep_parse(m.dependencies[i], &d, NULL))
				__builtin_trap();
		}
		if (gg_manifest_to_json(&m, &j))
			__builtin_trap();
		json_decref(j);
	} else if (!err.len) {
		__builtin_trap(); /* every refusal says why */
	}
	gg_manifest_release(&m);
	gg_buf_release(&err);
	return 0;
}
