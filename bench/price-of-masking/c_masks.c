/*
 * The read benchmark's three masks compiled, for bench/price-of-masking.ts only: what a mask
 * written in C would cost through a masked view. Built with PGXS inside the benchmark's own
 * cluster and loaded by its path; nothing of the install needs it. Same output as the SQL
 * masks for the parameters the benchmark declares (checked there, row for row).
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(c_mask_partial);
PG_FUNCTION_INFO_V1(c_mask_email);
PG_FUNCTION_INFO_V1(c_mask_phone);

/* partial, keep_first n, keep_last 0, fill '*': the first n characters, a '*' for each other one. */
Datum
c_mask_partial(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	int32		keep = PG_GETARG_INT32(1);
	const char *s = VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	int			chars = pg_mbstrlen_with_len(s, len);
	int			kept = chars > keep ? pg_mbcharcliplen(s, len, keep) : 0;
	int			stars = chars > keep ? chars - keep : chars;
	text	   *result = (text *) palloc(VARHDRSZ + kept + stars);
	char	   *out = VARDATA(result);

	memcpy(out, s, kept);
	memset(out + kept, '*', stars);
	SET_VARSIZE(result, VARHDRSZ + kept + stars);
	PG_RETURN_TEXT_P(result);
}

/* email, keep_domain: '***@' and what follows the last '@', or '***' without one (UTF-8). */
Datum
c_mask_email(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	int			at = len - 1;
	int			domain;
	text	   *result;

	while (at >= 0 && s[at] != '@')
		at--;
	if (at < 0)
		PG_RETURN_TEXT_P(cstring_to_text("***"));
	domain = len - at - 1;
	result = (text *) palloc(VARHDRSZ + 4 + domain);
	memcpy(VARDATA(result), "***@", 4);
	memcpy(VARDATA(result) + 4, s + at + 1, domain);
	SET_VARSIZE(result, VARHDRSZ + 4 + domain);
	PG_RETURN_TEXT_P(result);
}

/* phone, keep_last n: every digit 0-9 but the last n becomes '*', everything else stays. */
Datum
c_mask_phone(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	int32		keep = PG_GETARG_INT32(1);
	const char *s = VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	text	   *result = (text *) palloc(VARHDRSZ + len);
	char	   *out = VARDATA(result);
	int			seen = 0;

	for (int i = len - 1; i >= 0; i--)
	{
		bool		digit = s[i] >= '0' && s[i] <= '9';

		out[i] = digit && seen++ >= keep ? '*' : s[i];
	}
	SET_VARSIZE(result, VARHDRSZ + len);
	PG_RETURN_TEXT_P(result);
}
