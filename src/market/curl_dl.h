/*
 * curl_dl.h - libcurl, loaded when the first transfer needs it.
 *
 * libcurl pulls in some forty shared libraries; mapping and relocating
 * them costs about 20 ms per process on a small VM, which is the whole
 * budget of a search that only reads SQLite.  So ggen does not link
 * libcurl: the registry client opens it with dlopen the first time a
 * request is really made, and calls it through this table.  The library
 * stays loaded (RTLD_NODELETE) once opened; opening it again is cheap.
 */
#ifndef GG_MARKET_CURL_DL_H
#define GG_MARKET_CURL_DL_H

#include <curl/curl.h>

struct gg_curl {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode c);
	struct curl_slist *(*slist_append)(struct curl_slist *l,
					   const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part,
			     unsigned int flags);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part,
			     unsigned int flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
};

/* Fill c from libcurl.so.4: 0, or GG_EUNSUPPORTED (logged) when the
 * library or a symbol is missing. */
int gg_curl_load(struct gg_curl *c);

#endif
