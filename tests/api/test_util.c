/* Unit tests for the shared utilities: strings, time parsing, redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "error.h"
#include "ini.h"
#include "log.h"
#include "util.h"

static void *lowered_thread(void *arg)
{
    int *nice_after = arg;
    if (thread_lower_priority())
        *nice_after = getpriority(PRIO_PROCESS, (id_t)gettid());
    return NULL;
}

/* Background threads give way to the one reading keys: only the calling
 * thread is lowered, never the process. */
static void test_thread_lower_priority(void **state)
{
    int before = getpriority(PRIO_PROCESS, (id_t)gettid());
    int nice_after = -100;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, lowered_thread, &nice_after), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(nice_after > before);
    assert_int_equal(getpriority(PRIO_PROCESS, (id_t)gettid()), before);
}

static void test_url_decode(void **state)
{
    static const char q[] = "a%20b+c%2Bd%2fe%zz%4";
    char *v = url_decode(q, strlen(q), true);
    assert_string_equal(v, "a b c+d/e%zz%4");   /* bad escapes kept as they are */
    free(v);
    v = url_decode(q, strlen(q), false);          /* a path: '+' is a plus */
    assert_string_equal(v, "a b+c+d/e%zz%4");
    free(v);
    v = url_decode("%E6%9D%B1x", 9, false);      /* only the bytes asked for */
    assert_string_equal(v, "東");
    free(v);
}

/* UTF-8 validation: the sequences the standard forbids are refused, and
 * the word-at-a-time ASCII skip agrees with decoding byte by byte wherever
 * a non-ASCII byte falls. */
static void test_utf8_valid(void **state)
{
    static const char *const good[] = {"", "plain", "Zo\xC3\xAB", "\xE6\xBC\xA2\xE5\xAD\x97",
                                       "\xF0\x9F\x98\x80 ok", "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBF"};
    static const char *const bad[] = {"\xC3\x28", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                                      "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\x80", "\xFF",
                                      "abcdefgh\xC3", "abc\xE6\xBC"};
    for (size_t i = 0; i < ARRAY_SIZE(good); i++)
        assert_true(utf8_valid(good[i], strlen(good[i])));
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        if (utf8_valid(bad[i], strlen(bad[i])))
            fail_msg("accepted bad UTF-8 case %zu", i);
    uint32_t cp;
    assert_int_equal(utf8_decode("\xE6\xBC\xA2", 3, &cp), 3);
    assert_int_equal(cp, 0x6F22);
    assert_int_equal(utf8_decode("\xE6\xBC", 2, &cp), 0);
    /* Random strings: mostly ASCII with multi-byte and broken pieces. */
    static const char *const pieces[] = {"\xC3\xA9", "\xE6\xBC\xA2", "\xF0\x9F\x98\x80",
                                         "\xC3", "\x80", "\xED\xA0\x80"};
    uint64_t seed = 42;
    char buf[64];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        while (n < 40) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            unsigned r = (unsigned)(seed >> 33);
            const char *p = r % 8 == 0 ? pieces[(r >> 3) % ARRAY_SIZE(pieces)] : "x";
            size_t len = strlen(p);
            memcpy(buf + n, p, len);
            n += len;
        }
        bool slow = true;
        for (size_t i = 0; i < n && slow;) {
            size_t len = utf8_decode(buf + i, n - i, &cp);
            slow = len > 0;
            i += len;
        }
        assert_int_equal(utf8_valid(buf, n), slow);
    }
}

static void test_free_secret(void **state)
{
    str_free_secret(NULL);
    str_free_secret(xstrdup("test-token-secret"));
}

static void test_strbuf(void **state)
{
    strbuf sb = {0};
    assert_string_equal(strbuf_str(&sb), "");
    strbuf_grow(&sb, 10); /* growing alone keeps it a valid empty string */
    assert_string_equal(strbuf_str(&sb), "");
    strbuf_puts(&sb, "abc");
    strbuf_printf(&sb, "-%d-", 42);
    strbuf_putc(&sb, 'z');
    assert_string_equal(strbuf_str(&sb), "abc-42-z");
    assert_int_equal(sb.len, 8);
    for (int i = 0; i < 1000; i++)
        strbuf_putc(&sb, 'x');
    assert_int_equal(sb.len, 1008);
    char *s = strbuf_detach(&sb);
    assert_null(sb.buf);
    assert_int_equal(strlen(s), 1008);
    free(s);
}

static void test_time_iso_roundtrip(void **state)
{
    char buf[32];
    time_format_iso(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    time_format_iso(1714554000120LL, buf);
    assert_string_equal(buf, "2024-05-01T09:00:00.120Z");
    int64_t ms;
    assert_true(time_parse("2024-05-01T09:00:00.120Z", &ms));
    assert_int_equal(ms, 1714554000120LL);
    assert_true(time_parse("2024-05-01T11:00:00+02:00", &ms));
    assert_int_equal(ms, 1714554000000LL);
    assert_true(time_parse("1714554000120", &ms));
    assert_int_equal(ms, 1714554000120LL);
    time_format_iso(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
}

static void test_time_rejects_junk(void **state)
{
    int64_t ms;
    assert_false(time_parse("", &ms));
    assert_false(time_parse("2024-13-01", &ms));
    assert_false(time_parse("2023-02-29", &ms));
    assert_false(time_parse("2024-05-01T25:00:00Z", &ms));
    assert_false(time_parse("yesterday", &ms));
    assert_true(time_parse_date("2024-02-29", &ms));
    assert_int_equal(ms % 86400000, 0);
    assert_false(time_parse_date("2024-02-29T00:00:00Z", &ms));
}

static void test_numbers(void **state)
{
    double d;
    int64_t i;
    assert_true(str_to_double("1500.25", &d));
    assert_true(d > 1500.2 && d < 1500.3);
    assert_false(str_to_double("12abc", &d));
    assert_false(str_to_double("nan", &d));
    assert_false(str_to_double("0x10", &d));
    assert_true(str_to_i64("-42", &i));
    assert_int_equal(i, -42);
    assert_false(str_to_i64("4 2", &i));
    /* the digits-only path and strtoll's agree, up to the limits */
    assert_true(str_to_i64("0", &i));
    assert_int_equal(i, 0);
    assert_true(str_to_i64("123456789012345678", &i));   /* 18 digits */
    assert_int_equal(i, 123456789012345678LL);
    assert_true(str_to_i64("9223372036854775807", &i));  /* 19: the largest */
    assert_true(i == INT64_MAX);
    assert_false(str_to_i64("9223372036854775808", &i)); /* one more */
    assert_false(str_to_i64("12a", &i));
    assert_false(str_to_i64("12 ", &i));
    assert_true(str_to_i64("+7", &i));
    assert_int_equal(i, 7);
}

static void test_redaction(void **state)
{
    char line[256];
    snprintf(line, sizeof line, "> Authorization: Bearer pat-na1-11112222-3333\r\nHost: x");
    log_redact_inplace(line);
    assert_null(strstr(line, "pat-na1"));
    assert_null(strstr(line, "11112222"));
    assert_non_null(strstr(line, "Host: x"));

    snprintf(line, sizeof line, "grant_type=refresh_token&refresh_token=na1-abcd-ef&client_secret=s3cr3t");
    log_redact_inplace(line);
    assert_null(strstr(line, "na1-abcd-ef"));
    assert_null(strstr(line, "s3cr3t"));

    snprintf(line, sizeof line, "{\"access_token\":\"CJT-secret-value\",\"expires_in\":1800}");
    log_redact_inplace(line);
    assert_null(strstr(line, "CJT-secret-value"));
    assert_non_null(strstr(line, "expires_in"));

    /* Prose naming a variable is not a credential. */
    snprintf(line, sizeof line, "set HUBSPOT_ACCESS_TOKEN or add token_command; no refresh_token given");
    log_redact_inplace(line);
    assert_string_equal(line, "set HUBSPOT_ACCESS_TOKEN or add token_command; no refresh_token given");
    snprintf(line, sizeof line, "access_token: CJT-abc refresh_token = rt-1");
    log_redact_inplace(line);
    assert_null(strstr(line, "CJT-abc"));
    assert_null(strstr(line, "rt-1"));

    log_add_secret("opaque-token-xyz");
    snprintf(line, sizeof line, "token opaque-token-xyz seen twice: opaque-token-xyz");
    log_redact_inplace(line);
    assert_null(strstr(line, "opaque-token-xyz"));
    log_clear_secrets();
}

static void test_error_set(void **state)
{
    ht_error err;
    assert_int_equal(ht_error_set(&err, HT_AUTH, "bad token %s", "pat-eu1-deadbeef-0000"), HT_AUTH);
    assert_int_equal(err.status, HT_AUTH);
    assert_null(strstr(err.message, "deadbeef"));
    assert_string_equal(ht_status_str(HT_RATE_LIMIT), "rate limit reached");
    assert_int_equal(ht_error_set(NULL, HT_IO, "x"), HT_IO);
}

struct ini_seen {
    char text[512];
    int errors_reported;
    int last_error_line;
};

static bool ini_collect(void *ud, const char *section, const char *key,
                        const char *value, int line, char *why, size_t whylen)
{
    struct ini_seen *seen = ud;
    if (strcmp(key, "refuse") == 0) {
        snprintf(why, whylen, "refused on purpose");
        return false;
    }
    size_t n = strlen(seen->text);
    snprintf(seen->text + n, sizeof seen->text - n, "[%s]%s=%s;", section, key, value);
    return true;
}

static void ini_error(void *ud, const char *source, int line, const char *why)
{
    struct ini_seen *seen = ud;
    seen->errors_reported++;
    seen->last_error_line = line;
}

static void test_ini(void **state)
{
    struct ini_seen seen = {0};
    ini_handler h = {.on_value = ini_collect, .on_error = ini_error, .ud = &seen};
    const char *text =
        "top = 1\n"
        "# comment\n"
        "[portal prod]\n"
        "  base_url = https://api.hubapi.com   ; trailing comment\n"
        "quoted = \"  a;b  \"\n"
        "broken line\n"
        "refuse = x\n"
        "[colors]\n"
        "cursor = black $accent bold\n"
        "accent = #5fafd7|74|cyan #comment-like-colour # real comment\n";
    int errors = ini_parse_string(text, "test", &h);
    assert_int_equal(errors, 2);
    assert_int_equal(seen.errors_reported, 2);
    assert_int_equal(seen.last_error_line, 7);
    assert_string_equal(seen.text,
        "[]top=1;[portal prod]base_url=https://api.hubapi.com;"
        "[portal prod]quoted=  a;b  ;[colors]cursor=black $accent bold;"
        "[colors]accent=#5fafd7|74|cyan #comment-like-colour;");
    ht_error err;
    assert_int_equal(ini_parse_file("/nonexistent/hubtui.ini", &h, &err), -1);
    assert_int_equal(err.status, HT_NOT_FOUND);
}

static void ini_section(void *ud, const char *section, int line)
{
    struct ini_seen *seen = ud;
    size_t n = strlen(seen->text);
    snprintf(seen->text + n, sizeof seen->text - n, "<%s@%d>", section, line);
}

static void test_ini_sections_without_keys(void **state)
{
    struct ini_seen seen = {0};
    ini_handler h = {.on_value = ini_collect, .ud = &seen, .on_section = ini_section};
    assert_int_equal(ini_parse_string("[portal empty]\n\n[ portal  b ]\nk = v\n", "t", &h), 0);
    assert_string_equal(seen.text, "<portal empty@1><portal  b@3>[portal  b]k=v;");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf),
        cmocka_unit_test(test_free_secret),
        cmocka_unit_test(test_time_iso_roundtrip),
        cmocka_unit_test(test_time_rejects_junk),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_url_decode),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_thread_lower_priority),
        cmocka_unit_test(test_error_set),
        cmocka_unit_test(test_ini),
        cmocka_unit_test(test_ini_sections_without_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
