/*
 * curl_dl.c - finding libcurl at run time (see curl_dl.h).
 */
#include "market/curl_dl.h"

#include <dlfcn.h>

#include "util/error.h"
#include "util/log.h"

static const char *const sonames[] = { "libcurl.so.4", "libcurl.so",
				       "libcurl-gnutls.so.4" };

static void *open_lib(void)
{
	void *h;
	size_t i;

	for (i = 0; i < sizeof(sonames) / sizeof(sonames[0]); i++) {
		h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
		if (h)
			return h;
	}
	gg_error("registry", "cannot load libcurl: %s", dlerror());
	return NULL;
}

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which memcpy does without a cast warning. */
static int sym(void *h, const char *name, void *fp, size_t fpsz)
{
	void *p = dlsym(h, name);

	if (!p) {
		gg_error("registry", "libcurl has no %s", name);
		return GG_EUNSUPPORTED;
	}
	memcpy(fp, &p, fpsz);
	return 0;
}

#define SYM(field, name) sym(h, name, &c->field, sizeof(c->field))

int gg_curl_load(struct gg_curl *c)
{
	void *h = open_lib();

	memset(c, 0, sizeof(*c));
	if (!h)
		return GG_EUNSUPPORTED;
	if (SYM(easy_init, "curl_easy_init") ||
	    SYM(easy_setopt, "curl_easy_setopt") ||
	    SYM(easy_perform, "curl_easy_perform") ||
	    SYM(easy_getinfo, "curl_easy_getinfo") ||
	    SYM(easy_cleanup, "curl_easy_cleanup") ||
	    SYM(easy_strerror, "curl_easy_strerror") ||
	    SYM(slist_append, "curl_slist_append") ||
	    SYM(slist_free_all, "curl_slist_free_all") ||
	    SYM(url, "curl_url") || SYM(url_set, "curl_url_set") ||
	    SYM(url_get, "curl_url_get") ||
	    SYM(url_cleanup, "curl_url_cleanup") || SYM(free, "curl_free"))
		return GG_EUNSUPPORTED;
	return 0;
}
