/*
 * identify.c - the identify service of identify.h.
 *
 * One small reader serves both the requester role and push: it collects
 * bytes up to the cap, and as soon as a whole length-prefixed message is
 * there decodes it and files it under the connection's authenticated
 * peer.  Decoding goes through protobuf-c into a bounded struct; a public
 * key that does not belong to the connection's peer voids the message.
 */
#include "identify.pb-c.h"
#include "p2p/identify.h"
#include "util/error.h"
#include "util/log.h"
#include "util/varint.h"
#include "version.h"

struct gg_identify {
	struct gg_host *h;
	struct gg_peerstore *ps;
};

/* ---- the message ---- */

void gg_identify_info_release(struct gg_identify_info *info)
{
	int i;

	for (i = 0; i < info->nprotos; i++)
		free(info->protos[i]);
	info->nprotos = 0;
}

static void copy_fields(const Identify__Pb__Identify *m,
			struct gg_identify_info *o)
{
	size_t i;

	if (m->has_publickey && m->publickey.len <= sizeof(o->pubkey)) {
		memcpy(o->pubkey, m->publickey.data, m->publickey.len);
		o->pubkey_len = m->publickey.len;
	}
	o->has_addrs = m->n_listenaddrs > 0;
	for (i = 0; i < m->n_listenaddrs && o->naddrs < GG_PS_MAX_ADDRS; i++)
		if (gg_multiaddr_from_bytes(m->listenaddrs[i].data,
					    m->listenaddrs[i].len,
					    &o->addrs[o->naddrs]) == 0)
			o->naddrs++;
	o->has_protos = m->n_protocols > 0;
	for (i = 0; i < m->n_protocols && o->nprotos < GG_PS_MAX_PROTOS; i++) {
		if (strlen(m->protocols[i]) >= GG_PS_MAX_PROTO_LEN)
			continue;
		o->protos[o->nprotos] = strdup(m->protocols[i]);
		if (o->protos[o->nprotos])
			o->nprotos++;
	}
	if (m->has_observedaddr &&
	    gg_multiaddr_from_bytes(m->observedaddr.data, m->observedaddr.len,
				    &o->observed) == 0)
		o->has_observed = 1;
	if (m->agentversion)
		snprintf(o->agent, sizeof(o->agent), "%s", m->agentversion);
	if (m->protocolversion)
		snprintf(o->proto_version, sizeof(o->proto_version), "%s",
			 m->protocolversion);
}

int gg_identify_decode(const uint8_t *p, size_t n,
		       struct gg_identify_info *out)
{
	Identify__Pb__Identify *m;

	memset(out, 0, sizeof(*out));
	if (n > GG_ID_MAX_MSG)
		return GG_ETOOBIG;
	m = identify__pb__identify__unpack(NULL, n, p);
	if (!m)
		return GG_EPARSE;
	copy_fields(m, out);
	identify__pb__identify__free_unpacked(m, NULL);
	return 0;
}

int gg_identify_encode(struct gg_host *h, struct gg_conn *c,
		       struct gg_buf *out)
{
	Identify__Pb__Identify m = IDENTIFY__PB__IDENTIFY__INIT;
	struct gg_multiaddr addrs[GG_HOST_MAX_LISTEN];
	ProtobufCBinaryData bins[GG_HOST_MAX_LISTEN];
	const char *protos[GG_HOST_MAX_PROTOCOLS];
	const struct gg_multiaddr *obs = c ? gg_conn_remote_addr(c) : NULL;
	uint8_t pre[GG_VARINT_MAX_LEN];
	size_t size, publen;
	int i, naddrs, rc;

	naddrs = gg_host_listen_addrs(h, addrs, GG_HOST_MAX_LISTEN);
	for (i = 0; i < naddrs; i++) {
		bins[i].data = addrs[i].b;
		bins[i].len = addrs[i].len;
	}
	m.protocolversion = (char *)GG_ID_PROTOCOL_VERSION;
	m.agentversion = (char *)GG_AGENT;
	m.has_publickey = 1;
	m.publickey.data = (uint8_t *)gg_privkey_public(gg_host_key(h),
							&publen);
	m.publickey.len = publen;
	m.n_listenaddrs = (size_t)naddrs;
	m.listenaddrs = bins;
	m.n_protocols = (size_t)gg_host_protocols(h, protos,
						  GG_HOST_MAX_PROTOCOLS);
	m.protocols = (char **)protos;
	if (obs && obs->len) {
		m.has_observedaddr = 1;
		m.observedaddr.data = (uint8_t *)obs->b;
		m.observedaddr.len = obs->len;
	}
	size = identify__pb__identify__get_packed_size(&m);
	if (size > GG_ID_MAX_MSG)
		return GG_ETOOBIG;
	rc = gg_buf_add(out, pre, gg_varint_encode(size, pre));
	if (rc == 0)
		rc = gg_buf_reserve(out, size);
	if (rc)
		return rc;
	identify__pb__identify__pack(&m, out->data + out->len);
	out->len += size;
	out->data[out->len] = 0;
	return 0;
}

/* ---- reading a peer's message ---- */

struct id_reader {
	struct gg_identify *id;
	struct gg_buf in;
	int push, done;
};

static void id_store(struct gg_identify *id, struct gg_conn *c,
		     const struct gg_identify_info *info, int push)
{
	const struct gg_peerid *peer = gg_conn_remote(c);
	char name[GG_PEERID_STR_MAX];

	gg_peerid_to_str(peer, name, sizeof(name));
	if ((info->pubkey_len || !push) &&
	    !gg_peerid_matches_pubkey(peer, info->pubkey, info->pubkey_len)) {
		gg_warn("identify", "%s sent a public key that is not its "
			"own; ignored", name);
		return;
	}
	if (info->has_addrs || !push)
		gg_peerstore_add_addrs(id->ps, peer, info->addrs,
				       info->naddrs);
	if (info->has_protos || !push)
		gg_peerstore_set_protocols(id->ps, peer,
					   (const char *const *)info->protos,
					   info->nprotos);
	gg_peerstore_set_agent(id->ps, peer,
			       info->agent[0] ? info->agent : NULL,
			       info->proto_version[0] ? info->proto_version
						      : NULL);
	gg_debug("identify", "%s: agent \"%s\", %d protocols, %d addresses",
		 name, info->agent, info->nprotos, info->naddrs);
}

/* 1 when a whole message was handled, 0 for more bytes, < 0 broken. */
static int id_try_parse(struct id_reader *r, struct gg_stream *s)
{
	struct gg_identify_info info;
	uint64_t len;
	int k, rc;

	k = gg_varint_decode(r->in.data, r->in.len, &len);
	if (k == GG_ETRUNC)
		return 0;
	if (k < 0 || len > GG_ID_MAX_MSG)
		return k < 0 ? k : GG_ETOOBIG;
	if (r->in.len - (size_t)k < len)
		return 0;
	rc = gg_identify_decode(r->in.data + k, (size_t)len, &info);
	if (rc)
		return rc;
	id_store(r->id, gg_stream_conn(s), &info, r->push);
	gg_identify_info_release(&info);
	return 1;
}

static void id_data(void *arg, struct gg_stream *s, const uint8_t *p,
		    size_t n)
{
	struct id_reader *r = arg;
	int rc;

	if (r->done)
		return;
	rc = gg_buf_add(&r->in, p, n);
	if (rc == 0)
		rc = id_try_parse(r, s);
	if (rc == 0)
		return;
	r->done = 1;
	if (rc < 0) {
		gg_info("identify", "bad message: %s", gg_strerror(rc));
		gg_stream_reset(s);
		gg_buf_release(&r->in);
		free(r);
		return;
	}
	gg_stream_close_write(s);
}

static void id_close(void *arg, struct gg_stream *s, int err)
{
	struct id_reader *r = arg;

	gg_buf_release(&r->in);
	free(r);
}

static const struct gg_stream_cbs reader_cbs = {
	.on_data = id_data,
	.on_close = id_close,
};

static struct id_reader *reader_new(struct gg_identify *id, int push)
{
	struct id_reader *r = calloc(1, sizeof(*r));

	if (r) {
		r->id = id;
		r->push = push;
		gg_buf_init(&r->in, GG_ID_MAX_MSG + GG_VARINT_MAX_LEN);
	}
	return r;
}

/* ---- the handlers ---- */

static void ignore_data(void *arg, struct gg_stream *s, const uint8_t *p,
			size_t n)
{
}

static const struct gg_stream_cbs writer_cbs = { .on_data = ignore_data };

/* Write our message on s and close our half. */
static void id_send(struct gg_identify *id, struct gg_stream *s)
{
	struct gg_buf msg = GG_BUF_INIT(GG_ID_MAX_MSG + GG_VARINT_MAX_LEN);
	int rc;

	gg_stream_set_cbs(s, &writer_cbs, NULL);
	rc = gg_identify_encode(id->h, gg_stream_conn(s), &msg);
	if (rc == 0)
		rc = gg_stream_write(s, msg.data, msg.len);
	gg_buf_release(&msg);
	if (rc < 0) {
		gg_warn("identify", "cannot send: %s", gg_strerror(rc));
		gg_stream_reset(s);
		return;
	}
	gg_stream_close_write(s);
}

static void on_id_stream(void *arg, struct gg_stream *s)
{
	id_send(arg, s);
}

static void on_push_stream(void *arg, struct gg_stream *s)
{
	struct id_reader *r = reader_new(arg, 1);

	if (!r) {
		gg_stream_reset(s);
		return;
	}
	gg_stream_set_cbs(s, &reader_cbs, r);
}

static void on_id_opened(void *arg, struct gg_stream *s, int err)
{
	struct id_reader *r = arg;

	if (err) {
		gg_debug("identify", "cannot identify: %s", gg_strerror(err));
		gg_buf_release(&r->in);
		free(r);
		return;
	}
	gg_stream_set_cbs(s, &reader_cbs, r);
}

static void on_conn(void *arg, struct gg_conn *c, enum gg_conn_event ev,
		    int err)
{
	static const char *const protos[] = { GG_ID_PROTO };
	struct gg_identify *id = arg;
	struct id_reader *r;

	if (ev != GG_CONN_UP)
		return;
	r = reader_new(id, 0);
	if (r && gg_stream_open(c, protos, 1, on_id_opened, r)) {
		gg_buf_release(&r->in);
		free(r);
	}
}

static void on_push_opened(void *arg, struct gg_stream *s, int err)
{
	if (!err)
		id_send(arg, s);
}

int gg_identify_push_all(struct gg_identify *id)
{
	static const char *const protos[] = { GG_ID_PUSH_PROTO };
	struct gg_conn *conns[256];
	int i, n;

	n = gg_host_conns(id->h, conns, 256);
	for (i = 0; i < n; i++)
		if (gg_peerstore_supports(id->ps, gg_conn_remote(conns[i]),
					  GG_ID_PUSH_PROTO))
			gg_stream_open(conns[i], protos, 1, on_push_opened,
				       id);
	return 0;
}

int gg_identify_new(struct gg_host *h, struct gg_peerstore *ps,
		    struct gg_identify **out)
{
	struct gg_identify *id;
	int rc;

	*out = NULL;
	id = calloc(1, sizeof(*id));
	if (!id)
		return GG_ENOMEM;
	id->h = h;
	id->ps = ps;
	rc = gg_host_handle(h, GG_ID_PROTO, on_id_stream, id);
	if (rc == 0)
		rc = gg_host_handle(h, GG_ID_PUSH_PROTO, on_push_stream, id);
	if (rc == 0)
		rc = gg_host_notify(h, on_conn, id);
	if (rc) {
		free(id);
		return rc;
	}
	*out = id;
	return 0;
}

void gg_identify_free(struct gg_identify *id)
{
	free(id);
}
