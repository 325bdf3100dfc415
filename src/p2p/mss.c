/*
 * mss.c - multistream-select 1.0 (see mss.h).
 *
 * Received bytes are appended to m->in and parsed from leftover_off,
 * which marks how far parsing got: negotiation messages are tiny, so
 * copying them costs nothing, and once the protocol is settled whatever
 * follows in m->in is the next layer's.  Messages are
 * parsed through a cursor: the uvarint length is checked against the cap
 * and against what has arrived before a byte of the text is touched.
 */
#include <string.h>

#include "p2p/mss.h"
#include "util/error.h"
#include "util/log.h"
#include "util/varint.h"

/* Leftover plus unparsed input we hold at most (a lazy dialer's first
 * data may ride along with its proposal). */
#define MSS_MAX_IN (1024u * 1024u)

static int valid_proto(const char *s)
{
	size_t n;

	if (!s)
		return 0;
	n = strlen(s);
	/* the message is text + '\n' and must fit the cap */
	return n > 0 && n < GG_MSS_MAX_MSG && !memchr(s, '\n', n);
}

int gg_mss_encode(struct gg_buf *out, const char *text)
{
	uint8_t v[GG_VARINT_MAX_LEN];
	size_t n, vl;
	int rc;

	if (!valid_proto(text))
		return GG_EINVAL;
	n = strlen(text);
	vl = gg_varint_encode(n + 1, v);
	rc = gg_buf_reserve(out, vl + n + 1);
	if (rc)
		return rc;
	gg_buf_add(out, v, vl);
	gg_buf_add(out, text, n);
	return gg_buf_addc(out, '\n');
}

static int init_common(struct gg_mss *m, enum gg_mss_role role,
		       const char *const *protos, size_t n)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	gg_buf_init(&m->out, GG_MSS_MAX_OUT);
	gg_buf_init(&m->in, MSS_MAX_IN);
	m->role = role;
	m->state = GG_MSS_NEGOTIATING;
	if (n > GG_MSS_MAX_PROTOS || (n && !protos))
		return GG_EINVAL;
	for (i = 0; i < n; i++)
		if (!valid_proto(protos[i]))
			return GG_EINVAL;
	m->protos = protos;
	m->nprotos = n;
	return gg_mss_encode(&m->out, GG_MSS_HEADER);
}

static int fail(struct gg_mss *m, int err)
{
	if (m->state != GG_MSS_FAILED) {
		m->state = GG_MSS_FAILED;
		m->err = err;
	}
	return m->err;
}

int gg_mss_init_dialer(struct gg_mss *m, const char *const *protos, size_t n)
{
	int rc;

	if (n == 0) {
		memset(m, 0, sizeof(*m));
		m->state = GG_MSS_FAILED;
		m->err = GG_EINVAL;
		return GG_EINVAL;
	}
	rc = init_common(m, GG_MSS_DIALER, protos, n);
	if (!rc)
		rc = gg_mss_encode(&m->out, protos[0]);
	if (rc)
		fail(m, rc);
	return rc;
}

int gg_mss_init_listener(struct gg_mss *m, const char *const *protos,
			 size_t n)
{
	int rc = init_common(m, GG_MSS_LISTENER, protos, n);

	/* a listener answers the dialer's header with its own (as js does)
	 * instead of sending it at once: it then leaves in the same write
	 * as the answer to the proposal, which usually came along */
	gg_buf_reset(&m->out);

	if (rc)
		fail(m, rc);
	return rc;
}

void gg_mss_release(struct gg_mss *m)
{
	gg_buf_release(&m->out);
	gg_buf_release(&m->in);
	m->state = GG_MSS_FAILED;
	m->selected = NULL;
}

/*
 * Take the next complete message from in[leftover_off..): 1 with the text
 * (without its newline) in *txt / *tl, 0 when incomplete, GG_EPROTO when
 * malformed.
 */
static int next_msg(struct gg_mss *m, const char **txt, size_t *tl)
{
	const uint8_t *p = m->in.data + m->leftover_off;
	size_t left = m->in.len - m->leftover_off;
	uint64_t len;
	int vl;

	if (left == 0)
		return 0;
	vl = gg_varint_decode(p, left, &len);
	if (vl == GG_ETRUNC)
		return 0;
	if (vl < 0 || len == 0 || len > GG_MSS_MAX_MSG)
		return GG_EPROTO;
	if (len > left - (size_t)vl)
		return 0;
	if (p[vl + len - 1] != '\n')
		return GG_EPROTO;
	*txt = (const char *)p + vl;
	*tl = (size_t)len - 1;
	m->leftover_off += (size_t)vl + (size_t)len;
	return 1;
}

static int is(const char *txt, size_t tl, const char *want)
{
	size_t n = strlen(want);

	return tl == n && memcmp(txt, want, n) == 0;
}

static int find_proto(const struct gg_mss *m, const char *txt, size_t tl)
{
	size_t i;

	for (i = 0; i < m->nprotos; i++)
		if (is(txt, tl, m->protos[i]))
			return (int)i;
	return -1;
}

/* The ls answer: one message holding uvarint-prefixed lines, then '\n'. */
static int send_ls(struct gg_mss *m)
{
	struct gg_buf body = GG_BUF_INIT(GG_MSS_MAX_OUT);
	uint8_t v[GG_VARINT_MAX_LEN];
	size_t i, vl;
	int rc = 0;

	for (i = 0; i < m->nprotos && !rc; i++)
		rc = gg_mss_encode(&body, m->protos[i]);
	if (!rc)
		rc = gg_buf_addc(&body, '\n');
	if (!rc) {
		vl = gg_varint_encode(body.len, v);
		rc = gg_buf_add(&m->out, v, vl);
	}
	if (!rc)
		rc = gg_buf_add(&m->out, body.data, body.len);
	gg_buf_release(&body);
	return rc;
}

static int dialer_msg(struct gg_mss *m, const char *txt, size_t tl)
{
	if (is(txt, tl, m->protos[m->cur])) {
		m->selected = m->protos[m->cur];
		m->state = GG_MSS_DONE;
		return 0;
	}
	if (!is(txt, tl, "na"))
		return GG_EPROTO;
	gg_debug("mss", "remote refused %s", m->protos[m->cur]);
	if (++m->cur == m->nprotos)
		return GG_EUNSUPPORTED;
	return gg_mss_encode(&m->out, m->protos[m->cur]);
}

static int listener_msg(struct gg_mss *m, const char *txt, size_t tl)
{
	int i;

	if (++m->rounds > GG_MSS_MAX_ROUNDS)
		return GG_ELIMIT;
	if (is(txt, tl, "ls"))
		return send_ls(m);
	i = find_proto(m, txt, tl);
	if (i < 0)
		return gg_mss_encode(&m->out, "na");
	m->selected = m->protos[i];
	m->state = GG_MSS_DONE;
	return gg_mss_encode(&m->out, m->selected);
}

static int step(struct gg_mss *m, const char *txt, size_t tl)
{
	if (!m->header_seen) {
		if (!is(txt, tl, GG_MSS_HEADER))
			return GG_EPROTO;
		m->header_seen = 1;
		if (m->role == GG_MSS_LISTENER)
			return gg_mss_encode(&m->out, GG_MSS_HEADER);
		return 0;
	}
	if (m->role == GG_MSS_DIALER)
		return dialer_msg(m, txt, tl);
	return listener_msg(m, txt, tl);
}

int gg_mss_feed(struct gg_mss *m, const uint8_t *p, size_t n)
{
	const char *txt;
	size_t tl;
	int rc;

	if (m->state == GG_MSS_FAILED)
		return m->err ? m->err : GG_EINVAL;
	rc = gg_buf_add(&m->in, p, n);
	if (rc)
		return fail(m, rc);
	while (m->state == GG_MSS_NEGOTIATING) {
		rc = next_msg(m, &txt, &tl);
		if (rc <= 0)
			break;
		rc = step(m, txt, tl);
		if (rc)
			break;
	}
	if (rc < 0)
		return fail(m, rc);
	if (m->state == GG_MSS_DONE)
		return 1;
	/* drop what was parsed so the buffer holds one partial message */
	gg_buf_consume(&m->in, m->leftover_off);
	m->leftover_off = 0;
	return 0;
}

enum gg_mss_state gg_mss_state(const struct gg_mss *m)
{
	return m->state;
}

const char *gg_mss_selected(const struct gg_mss *m)
{
	return m->state == GG_MSS_DONE ? m->selected : NULL;
}

const uint8_t *gg_mss_leftover(const struct gg_mss *m, size_t *len)
{
	*len = 0;
	if (m->state != GG_MSS_DONE || m->leftover_off >= m->in.len)
		return NULL;
	*len = m->in.len - m->leftover_off;
	return m->in.data + m->leftover_off;
}
