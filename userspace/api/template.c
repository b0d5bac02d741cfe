// SPDX-License-Identifier: GPL-2.0
/* The Go text/template subset of GET /report?format=: text, {{pipelines}} of field chains,
 * literals and the functions json and len, comments and trim markers, over the /report document.
 */
#include "api/api_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	DEPTH_MAX = 32, /* nested parentheses */
};

struct tpl {
	const char *start; /* the whole template, for line numbers */
	const char *p, *end; /* the action being parsed */
	const json_t *root;
	FILE *out; /* NULL while checking the syntax */
	char *err;
	int error; /* 0, -EINVAL (parse), -ENOEXEC (execution), -ENOMEM */
	unsigned int depth;
};

/* A value: a json reference we own, and whether it is a UID (printed as uint64). */
struct val {
	json_t *j;
	bool uid;
};

static bool failed(const struct tpl *t)
{
	return t->error != 0;
}

static void fail(struct tpl *t, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct tpl *t, int error, const char *fmt, ...)
{
	unsigned int line = 1;
	char *msg = NULL;
	va_list ap;
	int r;

	if (failed(t))
		return;
	for (const char *s = t->start; s < t->p; s++)
		line += *s == '\n';
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	t->error = error;
	if (r < 0 || asprintf(&t->err, "template: format:%u: %s", line, msg) < 0) {
		t->err = NULL;
		t->error = -ENOMEM;
	}
	free(msg);
}

static void skip_space(struct tpl *t)
{
	while (t->p < t->end && isspace((unsigned char)*t->p))
		t->p++;
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t ident_len(const struct tpl *t)
{
	size_t n = 0;

	while (t->p + n < t->end && is_ident(t->p[n]))
		n++;
	return n;
}

static struct val null_val(void)
{
	return (struct val){ json_null(), false };
}

/* --- operands ----------------------------------------------------------------------------- */

/* .Name on v: a missing IPAM/DNS/Proxy/Plugin is Go's nil pointer; other names are errors. */
static struct val field(struct tpl *t, struct val v, const char *name, size_t len)
{
	static const char *const absent[] = { "IPAM", "DNS", "Proxy", "Plugin" };
	char key[64];
	json_t *j;

	if (len >= sizeof(key)) {
		fail(t, -ENOEXEC, "can't evaluate field %.*s", (int)len, name);
		return null_val();
	}
	memcpy(key, name, len);
	key[len] = '\0';
	if (!t->out)
		return null_val();
	if (json_is_object(v.j) && (j = json_object_get(v.j, key)))
		return (struct val){ json_incref(j), !strcmp(key, "UID") };
	if (v.j == t->root)
		for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
			if (!strcmp(absent[i], key))
				return null_val();
	if (json_is_null(v.j))
		fail(t, -ENOEXEC, "nil pointer evaluating .%s", key);
	else
		fail(t, -ENOEXEC, "can't evaluate field %s", key);
	return null_val();
}

/* A chain of .Field after a value. */
static struct val fields(struct tpl *t, struct val v)
{
	while (!failed(t) && t->p < t->end && *t->p == '.') {
		size_t n;
		struct val next;

		t->p++;
		n = ident_len(t);
		if (!n) {
			fail(t, -EINVAL, "bad character after '.'");
			break;
		}
		next = field(t, v, t->p, n);
		t->p += n;
		json_decref(v.j);
		v = next;
	}
	return v;
}

static struct val string_literal(struct tpl *t)
{
	char quote = *t->p++, *buf = malloc((size_t)(t->end - t->p) + 1);
	size_t n = 0;
	json_t *j;

	if (!buf) {
		fail(t, -ENOMEM, "out of memory");
		return null_val();
	}
	while (t->p < t->end && *t->p != quote) {
		char c = *t->p++;

		if (c == '\\' && quote == '"' && t->p < t->end) {
			c = *t->p++;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		buf[n++] = c;
	}
	if (t->p >= t->end)
		fail(t, -EINVAL, "unterminated quoted string");
	t->p++;
	j = json_stringn_nocheck(buf, n);
	free(buf);
	if (!j)
		fail(t, -ENOMEM, "out of memory");
	return (struct val){ j ? j : json_null(), false };
}

static struct val number_literal(struct tpl *t)
{
	long long v = 0;

	while (t->p < t->end && isdigit((unsigned char)*t->p)) {
		if (v > (1LL << 53)) {
			fail(t, -EINVAL, "number too large");
			return null_val();
		}
		v = v * 10 + (*t->p++ - '0');
	}
	if (t->p < t->end && is_ident(*t->p))
		fail(t, -EINVAL, "bad number syntax");
	return (struct val){ json_integer(v), false };
}

static struct val pipeline(struct tpl *t, char close);

static struct val operand(struct tpl *t)
{
	const char *s = t->p;
	size_t n;

	if (*s == '.') {
		if (s + 1 < t->end && is_ident(s[1]))
			return fields(t, (struct val){ json_incref((json_t *)t->root), false });
		t->p++;
		return (struct val){ json_incref((json_t *)t->root), false };
	}
	if (*s == '$') {
		t->p++;
		if (t->p < t->end && is_ident(*t->p)) {
			fail(t, -EINVAL, "template variables are not supported by weaver");
			return null_val();
		}
		return fields(t, (struct val){ json_incref((json_t *)t->root), false });
	}
	if (*s == '"' || *s == '`')
		return string_literal(t);
	if (isdigit((unsigned char)*s))
		return number_literal(t);
	if (*s == '(') {
		struct val v;

		if (++t->depth > DEPTH_MAX) {
			fail(t, -EINVAL, "parentheses nested too deeply");
			return null_val();
		}
		t->p++;
		v = pipeline(t, ')');
		t->depth--;
		return fields(t, v);
	}
	n = ident_len(t);
	if (n == 4 && !strncmp(s, "true", 4))
		return t->p += n, (struct val){ json_true(), false };
	if (n == 5 && !strncmp(s, "false", 5))
		return t->p += n, (struct val){ json_false(), false };
	if (n == 3 && !strncmp(s, "nil", 3))
		fail(t, -EINVAL, "nil is not a command");
	else
		fail(t, -EINVAL, "unexpected \"%c\" in operand", *s);
	return null_val();
}

/* --- functions ---------------------------------------------------------------------------- */

static struct val fn_json(struct tpl *t, struct val arg)
{
	char *text = NULL;
	json_t *j;

	if (!t->out)
		return null_val();
	if (arg.uid && json_is_integer(arg.j)) {
		if (asprintf(&text, "%llu", (unsigned long long)json_integer_value(arg.j)) < 0)
			text = NULL;
	} else if (api_json_dump(arg.j, 0, &text) < 0) {
		text = NULL;
	}
	j = text ? json_string_nocheck(text) : NULL;
	free(text);
	if (!j) {
		fail(t, -ENOMEM, "out of memory");
		return null_val();
	}
	return (struct val){ j, false };
}

static struct val fn_len(struct tpl *t, struct val arg)
{
	size_t n = 0;

	if (!t->out)
		return null_val();
	if (json_is_array(arg.j))
		n = json_array_size(arg.j);
	else if (json_is_object(arg.j))
		n = json_object_size(arg.j);
	else if (json_is_string(arg.j))
		n = json_string_length(arg.j);
	else if (!json_is_null(arg.j))
		fail(t, -ENOEXEC, "error calling len: len of %s",
		     json_is_integer(arg.j) ? "int" : "bool");
	return (struct val){ json_integer((json_int_t)n), false };
}

typedef struct val (*fn_t)(struct tpl *t, struct val arg);

static bool word_is(const char *name, size_t n, const char *word)
{
	return strlen(word) == n && !strncmp(name, word, n);
}

static bool in_list(const char *name, size_t n, const char *const *list, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (word_is(name, n, list[i]))
			return true;
	return false;
}

static fn_t lookup_fn(struct tpl *t, const char *name, size_t n)
{
	static const char *const go_builtins[] = {
		"and",	  "call",    "html",	 "index", "slice", "js", "not", "or", "print",
		"printf", "println", "urlquery", "eq",	  "ne",	   "lt", "le",	"gt", "ge",
	};
	static const char *const keywords[] = {
		"if",	  "else",     "end",   "range", "with",
		"define", "template", "block", "break", "continue",
	};

	if (word_is(name, n, "json"))
		return fn_json;
	if (word_is(name, n, "len"))
		return fn_len;
	if (in_list(name, n, go_builtins, sizeof(go_builtins) / sizeof(go_builtins[0])))
		fail(t, -EINVAL, "function \"%.*s\" is not supported by weaver", (int)n, name);
	else if (in_list(name, n, keywords, sizeof(keywords) / sizeof(keywords[0])))
		fail(t, -EINVAL, "{{%.*s}} is not supported by weaver", (int)n, name);
	else
		fail(t, -EINVAL, "function \"%.*s\" not defined", (int)n, name);
	return NULL;
}

/* --- pipelines ---------------------------------------------------------------------------- */

static bool at_command_end(struct tpl *t, char close)
{
	skip_space(t);
	return t->p >= t->end || *t->p == '|' || (close && *t->p == close);
}

/* A function and its arguments, with the piped value (if any) as the last argument. */
static struct val call(struct tpl *t, fn_t fn, struct val *piped, char close)
{
	struct val args[2];
	size_t n = 0;
	struct val res;

	while (!failed(t) && !at_command_end(t, close)) {
		struct val a = operand(t);

		if (n < 2)
			args[n++] = a;
		else
			json_decref(a.j);
	}
	if (piped && n < 2)
		args[n++] = *piped, piped->j = NULL;
	if (!failed(t) && n != 1)
		fail(t, -EINVAL, "wrong number of args: want 1 got %zu", n);
	res = failed(t) ? null_val() : fn(t, args[0]);
	for (size_t i = 0; i < n; i++)
		json_decref(args[i].j);
	return res;
}

static struct val command(struct tpl *t, struct val *piped, char close)
{
	size_t n = ident_len(t);
	struct val v;

	if (n && !isdigit((unsigned char)*t->p) && !(n == 4 && !strncmp(t->p, "true", 4)) &&
	    !(n == 5 && !strncmp(t->p, "false", 5))) {
		fn_t fn = lookup_fn(t, t->p, n);

		t->p += n;
		return fn ? call(t, fn, piped, close) : null_val();
	}
	v = operand(t);
	if (!failed(t) && !at_command_end(t, close))
		fail(t, -EINVAL, "can't give argument to non-function");
	if (!failed(t) && piped)
		fail(t, -EINVAL, "can't give argument to non-function");
	return v;
}

/* Commands separated by '|', up to close (or the end of the action when close is 0). */
static struct val pipeline(struct tpl *t, char close)
{
	struct val v = null_val();
	bool first = true;

	for (;;) {
		struct val next;

		skip_space(t);
		if (t->p >= t->end || (close && *t->p == close)) {
			fail(t, -EINVAL, "missing value for command");
			break;
		}
		next = command(t, first ? NULL : &v, close);
		json_decref(v.j);
		v = next;
		first = false;
		if (failed(t))
			break;
		skip_space(t);
		if (t->p >= t->end || *t->p != '|')
			break;
		t->p++;
	}
	if (!failed(t) && close) {
		if (t->p >= t->end || *t->p != close)
			fail(t, -EINVAL, "unclosed left paren");
		else
			t->p++;
	}
	return v;
}

/* --- printing (an approximation of Go's %v for the document's values) --------------------- */

static void print_val(const struct tpl *t, const json_t *j, bool uid)
{
	size_t i;
	const char *key;
	json_t *item;

	switch (json_typeof(j)) {
	case JSON_STRING:
		fwrite(json_string_value(j), 1, json_string_length(j), t->out);
		break;
	case JSON_INTEGER:
		if (uid)
			fprintf(t->out, "%llu", (unsigned long long)json_integer_value(j));
		else
			fprintf(t->out, "%lld", (long long)json_integer_value(j));
		break;
	case JSON_REAL:
		fprintf(t->out, "%g", json_real_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		fputs(json_is_true(j) ? "true" : "false", t->out);
		break;
	case JSON_NULL:
		fputs("<nil>", t->out);
		break;
	case JSON_ARRAY:
		fputc('[', t->out);
		json_array_foreach((json_t *)j, i, item) {
			if (i)
				fputc(' ', t->out);
			print_val(t, item, false);
		}
		fputc(']', t->out);
		break;
	case JSON_OBJECT:
		/* *VersionCheck has a String method */
		if (j == json_object_get(t->root, "VersionCheck")) {
			fputs("version check update disabled", t->out);
			break;
		}
		fputc('{', t->out);
		i = 0;
		json_object_foreach((json_t *)j, key, item) {
			if (i++)
				fputc(' ', t->out);
			print_val(t, item, !strcmp(key, "UID"));
		}
		fputc('}', t->out);
		break;
	}
}

/* --- the template ------------------------------------------------------------------------- */

/* The end of the action starting at s (the "}}"), skipping quoted strings; NULL if unclosed. */
static const char *action_end(const char *s)
{
	for (; *s; s++) {
		if (s[0] == '}' && s[1] == '}')
			return s;
		if (*s == '"' || *s == '`') {
			char q = *s;

			for (s++; *s && *s != q; s++)
				if (q == '"' && *s == '\\' && s[1])
					s++;
			if (!*s)
				return NULL;
		}
	}
	return NULL;
}

static void action(struct tpl *t, const char *s, const char *e)
{
	struct val v;

	t->p = s;
	t->end = e;
	skip_space(t);
	if (t->p + 1 < e && t->p[0] == '/' && t->p[1] == '*') {
		if (e - t->p < 4 || strncmp(e - 2, "*/", 2))
			fail(t, -EINVAL, "unclosed comment");
		return;
	}
	v = pipeline(t, 0);
	if (!failed(t) && t->out)
		print_val(t, v.j, v.uid);
	json_decref(v.j);
}

static void put_text(const struct tpl *t, const char *s, const char *e)
{
	if (t->out && e > s)
		fwrite(s, 1, (size_t)(e - s), t->out);
}

static void run(struct tpl *t)
{
	const char *s = t->start;

	while (!failed(t) && *s) {
		const char *open = strstr(s, "{{"), *text_end, *inner, *close, *next;

		if (!open) {
			put_text(t, s, s + strlen(s));
			break;
		}
		text_end = open;
		inner = open + 2;
		if (inner[0] == '-' && isspace((unsigned char)inner[1])) {
			inner++;
			while (text_end > s && isspace((unsigned char)text_end[-1]))
				text_end--;
		}
		put_text(t, s, text_end);
		close = action_end(inner);
		if (!close) {
			t->p = open;
			fail(t, -EINVAL, "unclosed action");
			break;
		}
		next = close + 2;
		if (close - inner >= 2 && close[-1] == '-' && isspace((unsigned char)close[-2])) {
			close--;
			while (isspace((unsigned char)*next))
				next++;
		}
		action(t, inner, close);
		s = next;
	}
}

int api_template_run(const char *tmpl, const json_t *doc, char **ret, char **ret_err)
{
	struct tpl t = { .start = tmpl, .root = doc };
	char *buf = NULL;
	size_t len;
	bool stream_failed;

	*ret_err = NULL;
	run(&t); /* the syntax first: Go parses the whole template before executing it */
	if (!failed(&t)) {
		t.out = open_memstream(&buf, &len);
		if (!t.out)
			return -ENOMEM;
		run(&t);
		stream_failed = ferror(t.out);
		if (fclose(t.out) != 0 || stream_failed)
			fail(&t, -ENOMEM, "out of memory");
	}
	if (failed(&t)) {
		free(buf);
		if (t.error == -ENOMEM) {
			free(t.err);
			return -ENOMEM;
		}
		*ret_err = t.err;
		return t.error;
	}
	*ret = buf;
	return 0;
}
