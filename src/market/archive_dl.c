/*
 * archive_dl.c - finding libarchive at run time (see archive_dl.h).
 */
#include "market/archive_dl.h"

#include <dlfcn.h>

#include "util/error.h"
#include "util/log.h"

static const char *const sonames[] = { GG_LA_SONAME, "libarchive.so" };

static void say(struct gg_buf *err, const char *what, const char *why)
{
	gg_error("archive", "cannot load libarchive (%s): %s", what, why);
	if (!err)
		return;
	gg_buf_reset(err);
	gg_buf_printf(err, "cannot load libarchive (%s): %s; ggen needs it "
		      "to pack, read and extract packages (Debian: apt-get "
		      "install libarchive13)", what, why);
}

static void *open_lib(struct gg_buf *err)
{
	const char *why = "not found";
	void *h;
	size_t i;

	for (i = 0; i < sizeof(sonames) / sizeof(sonames[0]); i++) {
		h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
		if (h)
			return h;
		if (i == 0)
			why = dlerror();
	}
	say(err, GG_LA_SONAME, why ? why : "not found");
	return NULL;
}

int gg_la_load(struct gg_la *la, struct gg_buf *err)
{
	void *h = open_lib(err), *p;

	memset(la, 0, sizeof(*la));
	if (!h)
		return GG_EUNSUPPORTED;
	/* dlsym gives an object pointer; POSIX guarantees it converts to a
	 * function pointer, which memcpy does without a cast warning */
#define GG_LA_SYM(name)                                                  \
	p = dlsym(h, "archive_" #name);                                  \
	if (!p) {                                                        \
		say(err, GG_LA_SONAME, "no archive_" #name);             \
		memset(la, 0, sizeof(*la));                              \
		return GG_EUNSUPPORTED;                                  \
	}                                                                \
	memcpy(&la->name, &p, sizeof(la->name));
	GG_LA_FUNCS(GG_LA_SYM)
#undef GG_LA_SYM
	return 0;
}
