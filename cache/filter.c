/* filter.c — lexer and recursive-descent parser for the filter language.
 * Compilation lives in filter_sql.c (cache) and filter_remote.c (HubSpot). */
#include "filter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

typedef enum tok_kind {
    T_END, T_WORD, T_STRING, T_LPAREN, T_RPAREN, T_COMMA,
    T_EQ, T_NEQ, T_LT, T_LTE, T_GT, T_GTE, T_TILDE, T_NOT_HAS,
    T_AND, T_OR, T_IN, T_HAS,
} tok_kind;

typedef struct token {
    tok_kind kind;
    char    *text;                 /* words and strings (owned) */
    int      col;
} token;

typedef struct parser {
    const char *src;
    size_t      pos;               /* byte offset of the lexer */
    token       tok;               /* current token */
    ht_error   *err;
    int         err_col;
    bool        failed;
} parser;

static const char *tok_name(tok_kind k)
{
    static const char *const names[] = {
        [T_END] = "end of filter", [T_WORD] = "word", [T_STRING] = "string",
        [T_LPAREN] = "'('", [T_RPAREN] = "')'", [T_COMMA] = "','", [T_EQ] = "'='",
        [T_NEQ] = "'!='", [T_LT] = "'<'", [T_LTE] = "'<='", [T_GT] = "'>'", [T_GTE] = "'>='",
        [T_TILDE] = "'~'", [T_NOT_HAS] = "'!has'", [T_AND] = "'and'", [T_OR] = "'or'",
        [T_IN] = "'in'", [T_HAS] = "'has'",
    };
    return names[k];
}

/* 1-based column of a byte offset, counting UTF-8 characters. */
static int column_of(const char *s, size_t off)
{
    int col = 1;
    for (size_t i = 0; i < off && s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    return col;
}

static void fail_at(parser *p, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(parser *p, int col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    p->err_col = col;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* The column first: a message may name another column (where the '('
     * it misses a partner for was opened). */
    ht_error_set(p->err, HT_INVALID, "column %d: %s", col, msg);
}

static bool is_word_char(char c)
{
    return c && !strchr(" \t\r\n()=!<>~,\"'", c);
}

static tok_kind keyword(const char *w)
{
    if (strcasecmp(w, "and") == 0)
        return T_AND;
    if (strcasecmp(w, "or") == 0)
        return T_OR;
    if (strcasecmp(w, "in") == 0)
        return T_IN;
    if (strcasecmp(w, "has") == 0)
        return T_HAS;
    return T_WORD;
}

static bool lex_string(parser *p, char quote, token *t)
{
    const char *s = p->src;
    size_t start = p->pos++;
    strbuf sb = {0};
    while (s[p->pos] && s[p->pos] != quote) {
        char c = s[p->pos];
        if (c == '\\') {
            char e = s[p->pos + 1];
            char out = e == 'n' ? '\n' : e == 't' ? '\t'
                     : (e == '"' || e == '\'' || e == '\\') ? e : 0;
            if (!out) {
                fail_at(p, column_of(s, p->pos), "unknown escape \\%c in a string",
                        e ? e : ' ');
                strbuf_free(&sb);
                return false;
            }
            strbuf_putc(&sb, out);
            p->pos += 2;
            continue;
        }
        strbuf_putc(&sb, c);
        p->pos++;
    }
    if (!s[p->pos]) {
        fail_at(p, column_of(s, p->pos), "unterminated string (it starts at column %d)",
                column_of(s, start));
        strbuf_free(&sb);
        return false;
    }
    p->pos++;
    t->kind = T_STRING;
    t->text = strbuf_detach(&sb);
    return true;
}

static tok_kind lex_operator(parser *p)
{
    const char *s = p->src + p->pos;
    static const struct { const char *text; tok_kind kind; } ops[] = {
        {"!=", T_NEQ}, {"<=", T_LTE}, {">=", T_GTE}, {"=", T_EQ}, {"<", T_LT}, {">", T_GT},
        {"~", T_TILDE}, {"(", T_LPAREN}, {")", T_RPAREN}, {",", T_COMMA},
    };
    if (strncasecmp(s, "!has", 4) == 0 && !is_word_char(s[4]) ) {
        p->pos += 4;
        return T_NOT_HAS;
    }
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        size_t n = strlen(ops[i].text);
        if (strncmp(s, ops[i].text, n) == 0) {
            p->pos += n;
            return ops[i].kind;
        }
    }
    return T_END;
}

static void next(parser *p)
{
    free(p->tok.text);
    memset(&p->tok, 0, sizeof p->tok);
    if (p->failed)
        return;
    const char *s = p->src;
    while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\r' || s[p->pos] == '\n')
        p->pos++;
    p->tok.col = column_of(s, p->pos);
    char c = s[p->pos];
    if (!c) {
        p->tok.kind = T_END;
        return;
    }
    if (c == '"' || c == '\'') {
        if (!lex_string(p, c, &p->tok))
            p->tok.kind = T_END;
        return;
    }
    if (is_word_char(c)) {
        size_t start = p->pos;
        while (is_word_char(s[p->pos]))
            p->pos++;
        p->tok.text = xstrndup(s + start, p->pos - start);
        p->tok.kind = keyword(p->tok.text);
        return;
    }
    tok_kind k = lex_operator(p);
    if (k == T_END) {
        char what[8] = {c, 0};
        fail_at(p, p->tok.col, "unexpected '%s'", what);
    }
    p->tok.kind = k;
}

/* Peek at the kind of the token after the current one, without consuming. */
static tok_kind peek_kind(parser *p)
{
    parser copy = *p;
    copy.tok.text = NULL;
    ht_error scratch;
    copy.err = &scratch;
    next(&copy);
    tok_kind k = copy.failed ? T_END : copy.tok.kind;
    free(copy.tok.text);
    return k;
}

/* ---- the tree ------------------------------------------------------------- */

void filter_free(filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nkids; i++)
        filter_free(f->kids[i]);
    free(f->kids);
    free(f->prop);
    for (size_t i = 0; i < f->nvalues; i++)
        free(f->values[i].text);
    free(f->values);
    free(f->text);
    free(f);
}

static filter *node(filter_kind k, int col)
{
    filter *f = xcalloc(1, sizeof *f);
    f->kind = k;
    f->col = col;
    return f;
}

static void add_kid(filter *parent, filter *kid)
{
    parent->kids = xrealloc(parent->kids, (parent->nkids + 1) * sizeof *parent->kids);
    parent->kids[parent->nkids++] = kid;
}

static void add_value(filter *f, const token *t)
{
    f->values = xrealloc(f->values, (f->nvalues + 1) * sizeof *f->values);
    f->values[f->nvalues++] = (filter_value){xstrdup(t->text), t->kind == T_STRING, t->col};
}

/* ---- grammar ------------------------------------------------------------------ */

static filter *parse_or(parser *p);

static bool is_cmp_op(tok_kind k)
{
    return k == T_EQ || k == T_NEQ || k == T_LT || k == T_LTE || k == T_GT || k == T_GTE ||
           k == T_TILDE || k == T_IN;
}

static filter_op op_of(tok_kind k)
{
    switch (k) {
    case T_EQ: return FOP_EQ;
    case T_NEQ: return FOP_NEQ;
    case T_LT: return FOP_LT;
    case T_LTE: return FOP_LTE;
    case T_GT: return FOP_GT;
    case T_GTE: return FOP_GTE;
    case T_TILDE: return FOP_CONTAINS;
    default: return FOP_IN;
    }
}

static const char *op_text(tok_kind k)
{
    static const char *const t[] = {[T_EQ] = "=", [T_NEQ] = "!=", [T_LT] = "<",
                                    [T_LTE] = "<=", [T_GT] = ">", [T_GTE] = ">=",
                                    [T_TILDE] = "~", [T_IN] = "in"};
    return t[k];
}

static bool is_value(tok_kind k)
{
    return k == T_WORD || k == T_STRING;
}

static void fail_expected_value(parser *p, const char *after)
{
    if (p->tok.kind == T_END)
        fail_at(p, p->tok.col, "expected a value after '%s'", after);
    else
        fail_at(p, p->tok.col, "expected a value after '%s', found %s", after,
                tok_name(p->tok.kind));
}

static filter *parse_in_list(parser *p, filter *f)
{
    next(p);
    if (p->tok.kind != T_LPAREN) {
        fail_at(p, p->tok.col, "expected '(' after 'in'");
        return f;
    }
    int open_col = p->tok.col;
    next(p);
    if (p->tok.kind == T_RPAREN) {
        fail_at(p, p->tok.col, "empty list after 'in'");
        return f;
    }
    for (;;) {
        if (!is_value(p->tok.kind)) {
            fail_expected_value(p, f->nvalues ? "," : "(");
            return f;
        }
        add_value(f, &p->tok);
        next(p);
        if (p->tok.kind == T_RPAREN)
            break;
        if (p->tok.kind != T_COMMA) {
            if (p->tok.kind == T_END)
                fail_at(p, p->tok.col, "missing ')' to close the list opened at column %d",
                        open_col);
            else
                fail_at(p, p->tok.col, "expected ',' or ')' in the list opened at column %d",
                        open_col);
            return f;
        }
        next(p);
    }
    next(p);
    return f;
}

static filter *parse_comparison(parser *p)
{
    filter *f = node(FK_CMP, p->tok.col);
    f->prop = xstrdup(p->tok.text);
    next(p);
    tok_kind op = p->tok.kind;
    f->op = op_of(op);
    f->op_col = p->tok.col;
    if (op == T_IN)
        return parse_in_list(p, f);
    next(p);
    if (!is_value(p->tok.kind)) {
        fail_expected_value(p, op_text(op));
        return f;
    }
    add_value(f, &p->tok);
    next(p);
    return f;
}

static filter *parse_has(parser *p)
{
    bool negate = p->tok.kind == T_NOT_HAS;
    filter *f = node(FK_CMP, p->tok.col);
    f->op = negate ? FOP_NOT_HAS : FOP_HAS;
    f->op_col = p->tok.col;
    next(p);
    if (p->tok.kind != T_WORD) {
        fail_at(p, p->tok.col, "expected a property name after '%s'",
                negate ? "!has" : "has");
        return f;
    }
    f->prop = xstrdup(p->tok.text);
    next(p);
    return f;
}

/* Consecutive words (and strings) with no operator: one quick search. */
static filter *parse_text(parser *p)
{
    filter *f = node(FK_TEXT, p->tok.col);
    strbuf sb = {0};
    while (is_value(p->tok.kind) && !(p->tok.kind == T_WORD && is_cmp_op(peek_kind(p)))) {
        if (sb.len)
            strbuf_putc(&sb, ' ');
        strbuf_puts(&sb, p->tok.text);
        next(p);
    }
    f->text = strbuf_detach(&sb);
    return f;
}

static filter *parse_term(parser *p)
{
    switch (p->tok.kind) {
    case T_LPAREN: {
        int open_col = p->tok.col;
        next(p);
        filter *f = parse_or(p);
        if (!p->failed && p->tok.kind != T_RPAREN) {
            if (p->tok.kind == T_END)
                fail_at(p, p->tok.col, "missing ')' to close the '(' at column %d", open_col);
            else
                fail_at(p, p->tok.col, "expected ')' to close the '(' at column %d, found %s",
                        open_col, tok_name(p->tok.kind));
        }
        next(p);
        /* A parenthesised group starts at its '(' (comparisons keep their own). */
        if (f && (f->kind == FK_AND || f->kind == FK_OR))
            f->col = open_col;
        return f;
    }
    case T_HAS:
    case T_NOT_HAS:
        return parse_has(p);
    case T_WORD:
        if (is_cmp_op(peek_kind(p)))
            return parse_comparison(p);
        return parse_text(p);
    case T_STRING:
        return parse_text(p);
    default:
        fail_at(p, p->tok.col, "expected a condition, found %s", tok_name(p->tok.kind));
        return NULL;
    }
}

static bool starts_term(tok_kind k)
{
    return k == T_LPAREN || k == T_HAS || k == T_NOT_HAS || k == T_WORD || k == T_STRING;
}

/* Join two nodes under a kind, flattening same-kind children. */
static filter *join(filter_kind k, filter *a, filter *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (a->kind == k) {
        add_kid(a, b);
        return a;
    }
    filter *n = node(k, a->col);
    add_kid(n, a);
    add_kid(n, b);
    return n;
}

static filter *parse_and(parser *p)
{
    filter *f = parse_term(p);
    while (!p->failed) {
        if (p->tok.kind == T_AND) {
            int col = p->tok.col;
            next(p);
            if (!starts_term(p->tok.kind)) {
                fail_at(p, p->tok.col, "expected a condition after the 'and' at column %d, "
                        "found %s", col, tok_name(p->tok.kind));
                break;
            }
        } else if (!starts_term(p->tok.kind)) {
            break;
        }
        f = join(FK_AND, f, parse_term(p));
    }
    return f;
}

static filter *parse_or(parser *p)
{
    filter *f = parse_and(p);
    while (!p->failed && p->tok.kind == T_OR) {
        int col = p->tok.col;
        next(p);
        if (!starts_term(p->tok.kind)) {
            fail_at(p, p->tok.col, "expected a condition after the 'or' at column %d, found %s",
                    col, tok_name(p->tok.kind));
            break;
        }
        f = join(FK_OR, f, parse_and(p));
    }
    return f;
}

ht_status filter_parse(const char *text, filter **out, ht_error *err, int *col)
{
    *out = NULL;
    if (col)
        *col = 0;
    parser p = {.src = text ? text : "", .err = err};
    next(&p);
    if (!p.failed && p.tok.kind == T_END) {
        free(p.tok.text);
        return HT_OK;
    }
    filter *f = p.failed ? NULL : parse_or(&p);
    if (!p.failed && p.tok.kind != T_END)
        fail_at(&p, p.tok.col, "unexpected %s%s", tok_name(p.tok.kind),
                p.tok.kind == T_RPAREN ? " with no '(' before it" : "");
    free(p.tok.text);
    if (p.failed) {
        filter_free(f);
        if (col)
            *col = p.err_col;
        return HT_INVALID;
    }
    *out = f;
    return HT_OK;
}

/* ---- rendering ---------------------------------------------------------------- */

static const char *op_names[] = {
    [FOP_EQ] = "=", [FOP_NEQ] = "!=", [FOP_LT] = "<", [FOP_LTE] = "<=", [FOP_GT] = ">",
    [FOP_GTE] = ">=", [FOP_CONTAINS] = "~", [FOP_IN] = "in", [FOP_HAS] = "has",
    [FOP_NOT_HAS] = "!has",
};

static void put_quoted(strbuf *sb, const char *s)
{
    strbuf_putc(sb, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            strbuf_putc(sb, '\\');
        strbuf_putc(sb, *s);
    }
    strbuf_putc(sb, '"');
}

static void describe(strbuf *sb, const filter *f)
{
    switch (f->kind) {
    case FK_AND:
    case FK_OR:
        strbuf_putc(sb, '(');
        for (size_t i = 0; i < f->nkids; i++) {
            if (i)
                strbuf_puts(sb, f->kind == FK_AND ? " and " : " or ");
            describe(sb, f->kids[i]);
        }
        strbuf_putc(sb, ')');
        break;
    case FK_TEXT:
        strbuf_puts(sb, "text:");
        put_quoted(sb, f->text);
        break;
    case FK_CMP:
        if (f->op == FOP_HAS || f->op == FOP_NOT_HAS) {
            strbuf_printf(sb, "%s %s", op_names[f->op], f->prop);
            break;
        }
        strbuf_printf(sb, "%s %s ", f->prop, op_names[f->op]);
        if (f->op == FOP_IN)
            strbuf_putc(sb, '(');
        for (size_t i = 0; i < f->nvalues; i++) {
            if (i)
                strbuf_puts(sb, ", ");
            put_quoted(sb, f->values[i].text);
        }
        if (f->op == FOP_IN)
            strbuf_putc(sb, ')');
        break;
    }
}

char *filter_describe(const filter *f)
{
    strbuf sb = {0};
    if (f)
        describe(&sb, f);
    return strbuf_detach(&sb);
}

bool filter_has_text(const filter *f)
{
    if (!f)
        return false;
    if (f->kind == FK_TEXT)
        return true;
    for (size_t i = 0; i < f->nkids; i++)
        if (filter_has_text(f->kids[i]))
            return true;
    return false;
}
