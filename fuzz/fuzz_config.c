/* fuzz_config.c - load arbitrary bytes as a configuration file: the TOML
 * parser, then the walk over tables and keys, the type, bound and
 * multiaddr checks and the unknown-key suggestions.  A load either fails
 * with a message or succeeds with nothing in err; every key of a loaded
 * configuration renders as TOML, and that rendering loads back to the
 * same value. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"

/* key = value, rendered from c, must load back unchanged. */
static void round_trip(const struct gg_config *c, const char *key)
{
	struct gg_buf doc = GG_BUF_INIT(1 << 20), a = GG_BUF_INIT(1 << 20),
		      b = GG_BUF_INIT(1 << 20);
	const char *dot = strchr(key, '.');
	struct gg_config *d = NULL;

	gg_buf_printf(&doc, "[%.*s]\n%s = ", (int)(dot - key), key, dot + 1);
	gg_config_value_toml(c, key, &doc);
	if (gg_config_load_text("rt", gg_buf_cstr(&doc), doc.len, &d, NULL,
				NULL))
		__builtin_trap();
	gg_config_value_toml(c, key, &a);
	gg_config_value_toml(d, key, &b);
	if (strcmp(gg_buf_cstr(&a), gg_buf_cstr(&b)))
		__builtin_trap();
	gg_config_free(d);
	gg_buf_release(&doc);
	gg_buf_release(&a);
	gg_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gg_buf err = GG_BUF_INIT(1 << 20), warn = GG_BUF_INIT(1 << 20);
	struct gg_config *c = NULL;
	size_t i;
	int rc;

	rc = gg_config_load_text("fuzz.toml", (const char *)data, size, &c,
				 &err, &warn);
	if ((rc == 0) != (c != NULL) || (rc == 0 && err.len) ||
	    (rc != 0 && !err.len))
		__builtin_trap();
	for (i = 0; c && i < gg_config_nkeys(); i++)
		round_trip(c, gg_config_key_at(i)->name);
	gg_config_free(c);
	gg_buf_release(&err);
	gg_buf_release(&warn);
	return 0;
}
