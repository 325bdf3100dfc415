/*
 * toml_datetime.c - the four TOML date/time forms: offset date-time, local
 * date-time, local date and local time.
 *
 * They are RFC 3339 with TOML's relaxations: a space may stand for the 'T'
 * between date and time, 't' and 'z' may be lower case, and the offset may
 * be left out. Every field is range-checked, days against the month in
 * common and leap years; a second of 60 is allowed for leap seconds. The
 * value keeps the text, normalized to upper-case 'T' and 'Z'.
 */
#include "toml_impl.h"

/* n ASCII digits at s, with e the end of the input. */
static int digits(const char *s, const char *e, size_t n)
{
	size_t i;

	if ((size_t)(e - s) < n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The value of n digits already checked. */
static int num(const char *s, size_t n)
{
	int x = 0;

	while (n--)
		x = x * 10 + (*s++ - '0');
	return x;
}

int tp_looks_like_datetime(const struct tparser *P)
{
	const char *s = P->p, *e = P->end;

	return (digits(s, e, 4) && e - s > 4 && s[4] == '-') ||
	       (digits(s, e, 2) && e - s > 2 && s[2] == ':');
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Each reader moves *pp over its field and returns NULL, or says what is
 * wrong and leaves *pp alone. */
static const char *read_date(const char **pp, const char *e)
{
	const char *p = *pp;
	int y, m, d;

	if (e - p < 10 || !digits(p, e, 4) || p[4] != '-' ||
	    !digits(p + 5, e, 2) || p[7] != '-' || !digits(p + 8, e, 2))
		return "expected a date as YYYY-MM-DD";
	y = num(p, 4);
	m = num(p + 5, 2);
	d = num(p + 8, 2);
	if (m < 1 || m > 12)
		return "the month must be 01 to 12";
	if (d < 1 || d > days_in_month(y, m))
		return "that month has no such day";
	*pp = p + 10;
	return NULL;
}

static const char *read_time(const char **pp, const char *e)
{
	const char *p = *pp;

	if (e - p < 8 || !digits(p, e, 2) || p[2] != ':' ||
	    !digits(p + 3, e, 2) || p[5] != ':' || !digits(p + 6, e, 2))
		return "expected a time as HH:MM:SS";
	if (num(p, 2) > 23)
		return "the hour must be 00 to 23";
	if (num(p + 3, 2) > 59)
		return "the minute must be 00 to 59";
	if (num(p + 6, 2) > 60)
		return "the second must be 00 to 60";
	p += 8;
	if (p < e && *p == '.') {
		if (!digits(++p, e, 1))
			return "expected digits after the '.'";
		while (digits(p, e, 1))
			p++;
	}
	*pp = p;
	return NULL;
}

/* Z, or +HH:MM / -HH:MM, or nothing (*has stays 0). */
static const char *read_offset(const char **pp, const char *e, int *has)
{
	const char *p = *pp;

	if (p < e && (*p == 'Z' || *p == 'z')) {
		*pp = p + 1;
		*has = 1;
		return NULL;
	}
	if (p == e || (*p != '+' && *p != '-'))
		return NULL;
	if (!digits(p + 1, e, 2) || e - p < 6 || p[3] != ':' ||
	    !digits(p + 4, e, 2))
		return "expected an offset as +HH:MM or -HH:MM";
	if (num(p + 1, 2) > 23 || num(p + 4, 2) > 59)
		return "the offset must be within -23:59 and +23:59";
	*pp = p + 6;
	*has = 1;
	return NULL;
}

/* A space then "HH:" after a date: the date-time's time follows. */
static int space_time(const char *p, const char *e)
{
	return p < e && *p == ' ' && digits(p + 1, e, 2) && e - p > 3 &&
	       p[3] == ':';
}

static int bad_datetime(struct tparser *P, const char *s, const char *why)
{
	const char *t = s;

	while (t < P->end && (tp_is_token_char((unsigned char)*t) ||
			      space_time(t, P->end)))
		t++;
	return tp_fail(P, "invalid date-time '%.*s': %s",
		       t - s > 40 ? 40 : (int)(t - s), s, why);
}

/* Date and optional time, or a time alone; says which in *kind. */
static const char *read_all(const char **pp, const char *e,
			    enum toml_type *kind)
{
	const char *why;
	int off = 0;

	if (!digits(*pp, e, 4)) {
		*kind = TOML_TIME_LOCAL;
		return read_time(pp, e);
	}
	*kind = TOML_DATE_LOCAL;
	if ((why = read_date(pp, e)))
		return why;
	if (*pp == e || (**pp != 'T' && **pp != 't' && !space_time(*pp, e)))
		return NULL;
	(*pp)++;
	*kind = TOML_DATETIME_LOCAL;
	if ((why = read_time(pp, e)) || (why = read_offset(pp, e, &off)))
		return why;
	if (off)
		*kind = TOML_DATETIME;
	return NULL;
}

int tp_datetime(struct tparser *P, struct toml_value *v)
{
	const char *s = P->p, *p = s;
	enum toml_type kind;
	const char *why = read_all(&p, P->end, &kind);
	size_t n = (size_t)(p - s);

	if (!why && p < P->end && tp_is_token_char((unsigned char)*p))
		why = "unexpected text after it";
	if (why)
		return bad_datetime(P, s, why);
	v->type = kind;
	if (tv_set_str(v, s, n))
		return tp_oom(P);
	if (kind == TOML_DATETIME || kind == TOML_DATETIME_LOCAL)
		v->u.s.p[10] = 'T';
	if (v->u.s.p[n - 1] == 'z')
		v->u.s.p[n - 1] = 'Z';
	P->p = p;
	return 0;
}
