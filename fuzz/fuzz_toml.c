/* fuzz_toml.c - parse arbitrary bytes as TOML. A failure must say where
 * (line and column from 1) and why; a success must give a tree in which
 * every table finds each of its own keys again, and which frees cleanly.
 * Every input is parsed twice: with the default limits and with tight
 * ones, so the limit paths are exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/toml.h"

static void check_tree(const struct toml_value *v, int depth)
{
	size_t i, n = toml_len(v);

	if (toml_line(v) < 1 || toml_col(v) < 1 || depth > TOML_MAX_DEPTH_CAP)
		__builtin_trap();
	for (i = 0; i < n; i++) {
		const struct toml_value *e = toml_at(v, i);

		if (toml_type(v) == TOML_TABLE) {
			const char *k = toml_key_at(v, i);

			/* a key holding a NUL cannot be looked up by name */
			if (strlen(k) == toml_key_len(v, i) &&
			    toml_get(v, k) != e)
				__builtin_trap();
		}
		check_tree(e, depth + 1);
	}
}

static void parse(const uint8_t *data, size_t size,
		  const struct toml_limits *lim)
{
	struct toml_error err;
	struct toml_value *root;

	root = toml_parse_limits((const char *)data, size, lim, &err);
	if (!root) {
		if (err.line < 1 || err.col < 1 || !err.msg[0])
			__builtin_trap();
		return;
	}
	check_tree(root, 0);
	toml_free(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct toml_limits tight = { 4096, 8 };

	parse(data, size, NULL);
	parse(data, size, &tight);
	return 0;
}
