/*
 * error.c - messages and names for the codes of error.h, generated from
 * the same X-macro list so that they can never drift apart.
 */
#include <errno.h>

#include "util/error.h"

const char *gg_strerror(int err)
{
	switch (err) {
	case GG_OK:
		return "success";
#define GG_ERR_MSG(name, msg) \
	case GG_E##name:      \
		return msg;
		GG_ERRNO_MAP(GG_ERR_MSG)
#undef GG_ERR_MSG
	default:
		return "unknown error";
	}
}

const char *gg_errname(int err)
{
	switch (err) {
	case GG_OK:
		return "GG_OK";
#define GG_ERR_NAME(name, msg) \
	case GG_E##name:       \
		return "GG_E" #name;
		GG_ERRNO_MAP(GG_ERR_NAME)
#undef GG_ERR_NAME
	default:
		return "GG_E?";
	}
}

int gg_from_errno(int e)
{
	switch (e) {
	case 0:
		return GG_OK;
	case ENOMEM:
		return GG_ENOMEM;
	case EINVAL:
		return GG_EINVAL;
	case ENOENT:
		return GG_ENOTFOUND;
	case EEXIST:
		return GG_EEXISTS;
	case EACCES:
	case EPERM:
		return GG_EPERM;
	case ETIMEDOUT:
		return GG_ETIMEOUT;
	case ECONNREFUSED:
		return GG_ECONNREFUSED;
	case ECONNRESET:
	case EPIPE:
		return GG_ECONNRESET;
	case EAGAIN:
		return GG_EAGAIN;
	case ERANGE:
	case EOVERFLOW:
		return GG_ERANGE;
	case E2BIG:
	case EFBIG:
		return GG_ETOOBIG;
	case ENOTSUP:
		return GG_EUNSUPPORTED;
	case EBUSY:
		return GG_EBUSY;
	default:
		return GG_EIO;
	}
}
