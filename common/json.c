/*
 * json.c - strict JSON text in (lexical check + json-c tokener) and Go-compatible JSON text out.
 *
 * Why a lexical pass before json-c: even with JSON_TOKENER_STRICT, json-c 0.16 accepts NaN,
 * Infinity, "1.", "-01", raw control characters inside strings, and silently clamps integers
 * that do not fit 64 bits. Manifests are security-relevant input, and the reference (Go's
 * encoding/json) refuses all of these, so we check every token against RFC 8259 first and only
 * let json-c build the tree. The serializer is ours so that output matches Go's json.Marshal /
 * json.MarshalIndent byte for byte (string escaping, 4-space indent, "[]" and "{}").
 */
#include "common/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/xalloc.h"

/* ---- error positions ---------------------------------------------------------------------- */

static void offset_to_line_col(const char *buf, size_t off, unsigned *line, unsigned *col)
{
        *line = 1;
        *col = 1;
        for (size_t i = 0; i < off; i++) {
                if (buf[i] == '\n') {
                        (*line)++;
                        *col = 1;
                } else {
                        (*col)++;
                }
        }
}

static int syntax_error(struct ace_error **err, const char *buf, size_t off, const char *what)
{
        unsigned line, col;

        offset_to_line_col(buf, off, &line, &col);
        return ace_error_make(err, EINVAL, "invalid JSON at line %u column %u: %s", line, col,
                              what);
}

/* ---- lexical check (RFC 8259 tokens) ------------------------------------------------------- */

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Scans the string starting at buf[*pos] == '"'; leaves *pos after the closing quote. */
static int lex_string(const char *buf, size_t len, size_t *pos, struct ace_error **err)
{
        size_t p = *pos + 1;

        for (;;) {
                if (p >= len)
                        return syntax_error(err, buf, *pos, "unterminated string");
                unsigned char c = (unsigned char)buf[p];
                if (c == '"')
                        break;
                if (c < 0x20)
                        return syntax_error(err, buf, p, "control character in string");
                if (c != '\\') {
                        p++;
                        continue;
                }
                if (p + 1 >= len)
                        return syntax_error(err, buf, p, "unterminated escape");
                char e = buf[p + 1];
                if (strchr("\"\\/bfnrt", e) && e != '\0') {
                        p += 2;
                        continue;
                }
                if (e != 'u')
                        return syntax_error(err, buf, p, "invalid escape in string");
                if (p + 6 > len)
                        return syntax_error(err, buf, p, "truncated \\u escape");
                unsigned v = 0;
                for (size_t i = 2; i < 6; i++) {
                        int h = hex_value(buf[p + i]);
                        if (h < 0)
                                return syntax_error(err, buf, p, "invalid \\u escape");
                        v = v * 16 + (unsigned)h;
                }
                if (v == 0)
                        return syntax_error(err, buf, p, "NUL character (\\u0000) in string");
                p += 6;
        }
        *pos = p + 1;
        return 0;
}

/* digits (without sign) as a decimal integer <= limit (also decimal digits)? */
static bool digits_le(const char *d, size_t n, const char *limit)
{
        size_t ln = strlen(limit);
        if (n != ln)
                return n < ln;
        return strncmp(d, limit, n) <= 0;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; integers must fit int64 or uint64. */
static int lex_number(const char *buf, size_t len, size_t *pos, struct ace_error **err)
{
        size_t p = *pos, int_start;
        bool neg = false, fraction = false;

        if (buf[p] == '-') {
                neg = true;
                p++;
        }
        int_start = p;
        if (p >= len || !is_digit(buf[p]))
                return syntax_error(err, buf, *pos, "invalid number");
        if (buf[p] == '0' && p + 1 < len && is_digit(buf[p + 1]))
                return syntax_error(err, buf, *pos, "number with a leading zero");
        while (p < len && is_digit(buf[p]))
                p++;
        size_t int_len = p - int_start;
        if (p < len && buf[p] == '.') {
                fraction = true;
                p++;
                if (p >= len || !is_digit(buf[p]))
                        return syntax_error(err, buf, *pos, "invalid number (no digit after '.')");
                while (p < len && is_digit(buf[p]))
                        p++;
        }
        if (p < len && (buf[p] == 'e' || buf[p] == 'E')) {
                fraction = true;
                p++;
                if (p < len && (buf[p] == '+' || buf[p] == '-'))
                        p++;
                if (p >= len || !is_digit(buf[p]))
                        return syntax_error(err, buf, *pos, "invalid number exponent");
                while (p < len && is_digit(buf[p]))
                        p++;
        }
        if (p < len && (buf[p] == '.' || buf[p] == '+' || buf[p] == '-' ||
                        (buf[p] >= 'a' && buf[p] <= 'z') || (buf[p] >= 'A' && buf[p] <= 'Z')))
                return syntax_error(err, buf, *pos, "invalid number");
        if (!fraction && !digits_le(buf + int_start, int_len,
                                    neg ? "9223372036854775808" : "18446744073709551615"))
                return syntax_error(err, buf, *pos, "integer out of 64-bit range");
        *pos = p;
        return 0;
}

static int lex_word(const char *buf, size_t len, size_t *pos, struct ace_error **err)
{
        size_t p = *pos;

        while (p < len && ((buf[p] >= 'a' && buf[p] <= 'z') || (buf[p] >= 'A' && buf[p] <= 'Z')))
                p++;
        size_t n = p - *pos;
        if (!((n == 4 && memcmp(buf + *pos, "true", 4) == 0) ||
              (n == 5 && memcmp(buf + *pos, "false", 5) == 0) ||
              (n == 4 && memcmp(buf + *pos, "null", 4) == 0)))
                return syntax_error(err, buf, *pos,
                                    "invalid literal (expected true, false or null)");
        *pos = p;
        return 0;
}

static int lex_check(const char *buf, size_t len, struct ace_error **err)
{
        size_t pos = 0;
        int r;

        while (pos < len) {
                char c = buf[pos];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || strchr("{}[]:,", c)) {
                        if (c == '\0')
                                return syntax_error(err, buf, pos, "NUL byte");
                        pos++;
                        continue;
                }
                if (c == '"')
                        r = lex_string(buf, len, &pos, err);
                else if (c == '-' || is_digit(c))
                        r = lex_number(buf, len, &pos, err);
                else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                        r = lex_word(buf, len, &pos, err);
                else
                        r = syntax_error(err, buf, pos, "unexpected character");
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- parsing -------------------------------------------------------------------------------- */

int json_parse_text(const char *buf, size_t len, size_t max_depth, struct json_object **ret,
                    struct ace_error **err)
{
        struct json_tokener *tok;
        struct json_object *obj;
        enum json_tokener_error jerr;
        size_t end;
        int r;

        if (len > INT32_MAX)
                return ace_error_make(err, EFBIG, "JSON document too large (%zu bytes)", len);
        if (memchr(buf, '\0', len))
                return syntax_error(err, buf, (size_t)((const char *)memchr(buf, '\0', len) - buf),
                                    "NUL byte");
        r = lex_check(buf, len, err);
        if (r < 0)
                return r;
        if (max_depth < 1 || max_depth > 100000)
                max_depth = ACE_JSON_MAX_DEPTH;

        /* json-c counts every value level, the innermost scalar included; we count containers. */
        tok = json_tokener_new_ex((int)max_depth + 1);
        if (!tok)
                return ace_error_make(err, ENOMEM, "cannot allocate JSON tokener");
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        obj = json_tokener_parse_ex(tok, buf, (int)len);
        jerr = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        if (jerr == json_tokener_continue) {
                /* A top-level scalar (or truncated input) needs an explicit end of input. */
                obj = json_tokener_parse_ex(tok, "", 1);
                jerr = json_tokener_get_error(tok);
                if (jerr == json_tokener_continue || (jerr == json_tokener_success && !obj))
                        jerr = json_tokener_error_parse_eof;
        }
        if (jerr != json_tokener_success) {
                const char *desc = len == 0 ? "empty document" : json_tokener_error_desc(jerr);
                size_t at = end < len ? end : len;
                json_tokener_free(tok);
                if (obj)
                        json_object_put(obj);
                return syntax_error(err, buf, at, desc);
        }
        json_tokener_free(tok);
        /* The tokener stops after the value; only whitespace may follow. */
        for (size_t i = end; i < len; i++)
                if (!strchr(" \t\n\r", buf[i])) {
                        json_object_put(obj);
                        return syntax_error(err, buf, i, "trailing data after the JSON value");
                }
        *ret = obj;
        return 0;
}

int json_parse_object(const char *buf, size_t len, size_t max_depth, struct json_object **ret,
                      struct ace_error **err)
{
        struct json_object *obj = NULL;
        int r;

        r = json_parse_text(buf, len, max_depth, &obj, err);
        if (r < 0)
                return r;
        if (!json_object_is_type(obj, json_type_object)) {
                r = ace_error_make(err, EINVAL, "expected a JSON object at the top level, got %s",
                                   json_type_name(obj));
                json_object_put(obj);
                return r;
        }
        *ret = obj;
        return 0;
}

const char *json_type_name(const struct json_object *v)
{
        switch (json_object_get_type(v)) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "boolean";
        case json_type_double:
        case json_type_int:
                return "number";
        case json_type_object:
                return "object";
        case json_type_array:
                return "array";
        case json_type_string:
                return "string";
        }
        return "unknown";
}

char *json_path_key(const char *path, const char *key)
{
        if (!path || !*path)
                return xstrdup(key);
        return xasprintf("%s.%s", path, key);
}

char *json_path_index(const char *path, size_t index)
{
        return xasprintf("%s[%zu]", path ? path : "", index);
}

int json_path_error(struct ace_error **err, const char *path, const char *fmt, ...)
{
        va_list ap;
        char *msg;
        int r;

        va_start(ap, fmt);
        msg = xvasprintf(fmt, ap);
        va_end(ap);
        if (path && *path)
                r = ace_error_make(err, EINVAL, "%s: %s", path, msg);
        else
                r = ace_error_make(err, EINVAL, "%s", msg);
        free(msg);
        return r;
}

/* ---- serialization ----------------------------------------------------------------------------
 */

struct outbuf {
        char *p;
        size_t len, cap;
};

static void out_mem(struct outbuf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap)
                b->p = xgrow(b->p, &b->cap, b->len + n + 1, 1);
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
}

static void out_str(struct outbuf *b, const char *s)
{
        out_mem(b, s, strlen(s));
}

static void out_char(struct outbuf *b, char c)
{
        out_mem(b, &c, 1);
}

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
        size_t need;
        uint32_t v;

        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        } else if ((s[0] & 0xe0) == 0xc0) {
                need = 2;
                v = s[0] & 0x1f;
        } else if ((s[0] & 0xf0) == 0xe0) {
                need = 3;
                v = s[0] & 0x0f;
        } else if ((s[0] & 0xf8) == 0xf0) {
                need = 4;
                v = s[0] & 0x07;
        } else {
                return 0;
        }
        if (n < need)
                return 0;
        for (size_t i = 1; i < need; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                v = (v << 6) | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates and values beyond U+10FFFF are invalid */
        if ((need == 2 && v < 0x80) || (need == 3 && v < 0x800) || (need == 4 && v < 0x10000) ||
            (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
                return 0;
        *cp = v;
        return need;
}

/* Go's encodeState.string; html: escape <, >, & as json.Marshal does by default. */
static void out_json_string(struct outbuf *b, const char *s, size_t n, bool html)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *u = (const unsigned char *)s;
        char esc[8];

        out_char(b, '"');
        for (size_t i = 0; i < n;) {
                unsigned char c = u[i];
                uint32_t cp;
                size_t l;

                if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' &&
                    (!html || (c != '<' && c != '>' && c != '&'))) {
                        out_char(b, (char)c);
                        i++;
                        continue;
                }
                if (c < 0x80) {
                        if (c == '"' || c == '\\') {
                                esc[0] = '\\';
                                esc[1] = (char)c;
                                out_mem(b, esc, 2);
                        } else if (c == '\n') {
                                out_str(b, "\\n");
                        } else if (c == '\r') {
                                out_str(b, "\\r");
                        } else if (c == '\t') {
                                out_str(b, "\\t");
                        } else {
                                snprintf(esc, sizeof(esc), "\\u00%c%c", hex[c >> 4], hex[c & 15]);
                                out_str(b, esc);
                        }
                        i++;
                        continue;
                }
                l = utf8_len(u + i, n - i, &cp);
                if (l == 0) {
                        out_str(b, "\\ufffd");
                        i++;
                } else if (cp == 0x2028 || cp == 0x2029) {
                        out_str(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
                        i += l;
                } else {
                        out_mem(b, s + i, l);
                        i += l;
                }
        }
        out_char(b, '"');
}

static void out_newline(struct outbuf *b, enum json_style style, unsigned depth)
{
        out_char(b, '\n');
        for (unsigned i = 0; i < depth; i++)
                out_str(b, style == JSON_PRETTY_TAB ? "\t" : "    ");
}

static void out_number(struct outbuf *b, const struct json_object *v)
{
        char tmp[32];

        if (json_object_is_type(v, json_type_double)) {
                /* Doubles from the tokener keep their text; others get json-c's formatting. */
                out_str(b, json_object_to_json_string_ext((struct json_object *)v,
                                                          JSON_C_TO_STRING_PLAIN));
                return;
        }
        int64_t i = json_object_get_int64(v);
        if (i == INT64_MAX)
                snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)json_object_get_uint64(v));
        else
                snprintf(tmp, sizeof(tmp), "%lld", (long long)i);
        out_str(b, tmp);
}

static void out_value(struct outbuf *b, const struct json_object *v, enum json_style style,
                      unsigned depth)
{
        bool pretty = style != JSON_COMPACT;

        switch (json_object_get_type(v)) {
        case json_type_null:
                out_str(b, "null");
                break;
        case json_type_boolean:
                out_str(b, json_object_get_boolean(v) ? "true" : "false");
                break;
        case json_type_int:
        case json_type_double:
                out_number(b, v);
                break;
        case json_type_string:
                out_json_string(b, json_object_get_string((struct json_object *)v),
                                (size_t)json_object_get_string_len(v), true);
                break;
        case json_type_array: {
                size_t n = json_object_array_length(v);
                out_char(b, '[');
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                out_char(b, ',');
                        if (pretty)
                                out_newline(b, style, depth + 1);
                        out_value(b, json_object_array_get_idx(v, i), style, depth + 1);
                }
                if (pretty && n)
                        out_newline(b, style, depth);
                out_char(b, ']');
                break;
        }
        case json_type_object: {
                bool first = true;
                out_char(b, '{');
                json_object_object_foreach((struct json_object *)v, key, val)
                {
                        if (!first)
                                out_char(b, ',');
                        first = false;
                        if (pretty)
                                out_newline(b, style, depth + 1);
                        out_json_string(b, key, strlen(key), true);
                        out_str(b, pretty ? ": " : ":");
                        out_value(b, val, style, depth + 1);
                }
                if (pretty && !first)
                        out_newline(b, style, depth);
                out_char(b, '}');
                break;
        }
        }
}

char *json_to_text(const struct json_object *obj, enum json_style style)
{
        struct outbuf b = {0};

        out_value(&b, obj, style, 0);
        return b.p;
}

char *json_quote(const char *s)
{
        struct outbuf b = {0};

        if (!s)
                return xstrdup("(null)");
        out_json_string(&b, s, strlen(s), false);
        return b.p;
}
