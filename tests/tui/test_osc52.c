/* Unit tests for tui/osc52: base64 and the clipboard escape sequences for
 * plain terminals, tmux passthrough and GNU screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "osc52.h"

static void expect_b64(const char *in, const char *want)
{
    strbuf sb = {0};
    base64_encode(&sb, in, strlen(in));
    assert_string_equal(strbuf_str(&sb), want);
    strbuf_free(&sb);
}

static void test_base64_rfc4648(void **state)
{
    /* The test vectors of RFC 4648 section 10. */
    expect_b64("", "");
    expect_b64("f", "Zg==");
    expect_b64("fo", "Zm8=");
    expect_b64("foo", "Zm9v");
    expect_b64("foob", "Zm9vYg==");
    expect_b64("fooba", "Zm9vYmE=");
    expect_b64("foobar", "Zm9vYmFy");
    /* High bytes and UTF-8. */
    expect_b64("\xff\xfe\xfd", "//79");
    expect_b64("Jos\xC3\xA9", "Sm9zw6k=");
}

static void test_wrap_detection(void **state)
{
    assert_int_equal(osc52_wrap_for(NULL, "xterm-256color"), OSC52_PLAIN);
    assert_int_equal(osc52_wrap_for("", "xterm"), OSC52_PLAIN);
    assert_int_equal(osc52_wrap_for("/tmp/tmux-0/default,123,0", "screen-256color"), OSC52_TMUX);
    assert_int_equal(osc52_wrap_for("/tmp/tmux-0/default,123,0", "tmux-256color"), OSC52_TMUX);
    assert_int_equal(osc52_wrap_for(NULL, "screen.xterm-256color"), OSC52_SCREEN);
    assert_int_equal(osc52_wrap_for(NULL, NULL), OSC52_PLAIN);
}

static char *build(const char *text, osc52_wrap wrap)
{
    strbuf sb = {0};
    assert_int_equal(osc52_build(&sb, text, strlen(text), wrap, NULL), HT_OK);
    return strbuf_detach(&sb);
}

static void test_sequences(void **state)
{
    char *s = build("hello", OSC52_PLAIN);
    assert_string_equal(s, "\033]52;c;aGVsbG8=\a");
    free(s);
    s = build("hello", OSC52_TMUX);
    assert_string_equal(s, "\033]52;c;aGVsbG8=\a"
                           "\033Ptmux;\033\033]52;c;aGVsbG8=\a\033\\");
    free(s);
    s = build("hello", OSC52_SCREEN);
    assert_string_equal(s, "\033P\033]52;c;aGVsbG8=\a\033\\");
    free(s);
}

/* Long text under screen is cut into DCS chunks no longer than 768 bytes
 * that join back into the plain sequence. */
static void test_screen_chunks(void **state)
{
    char *text = malloc(3001);
    memset(text, 'x', 3000);
    text[3000] = '\0';
    char *plain = build(text, OSC52_PLAIN);
    char *wrapped = build(text, OSC52_SCREEN);
    strbuf joined = {0};
    int chunks = 0;
    for (const char *p = wrapped; *p;) {
        assert_memory_equal(p, "\033P", 2);
        const char *end = strstr(p + 2, "\033\\");
        assert_non_null(end);
        assert_true(end - (p + 2) <= 768);
        strbuf_append(&joined, p + 2, (size_t)(end - (p + 2)));
        chunks++;
        p = end + 2;
    }
    assert_true(chunks >= 6);
    assert_string_equal(strbuf_str(&joined), plain);
    strbuf_free(&joined);
    free(text);
    free(plain);
    free(wrapped);
}

static void test_too_long(void **state)
{
    size_t n = OSC52_MAX_TEXT + 1;
    char *text = calloc(1, n + 1);
    memset(text, 'a', n);
    strbuf sb = {0};
    ht_error err;
    assert_int_equal(osc52_build(&sb, text, n, OSC52_PLAIN, &err), HT_INVALID);
    assert_int_equal(sb.len, 0);
    assert_non_null(strstr(err.message, "too long"));
    assert_int_equal(osc52_build(&sb, text, n - 1, OSC52_PLAIN, &err), HT_OK);
    assert_true(sb.len > (n - 1) * 4 / 3);
    strbuf_free(&sb);
    free(text);
}

/* osc52_copy writes the whole sequence to the descriptor it is given. */
static void test_copy_writes_fd(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    unsetenv("TMUX");
    setenv("TERM", "xterm-256color", 1);
    assert_int_equal(osc52_copy(fds[1], "hi", 2, NULL), HT_OK);
    close(fds[1]);
    char buf[64] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    assert_int_equal(n, (ssize_t)strlen("\033]52;c;aGk=\a"));
    assert_string_equal(buf, "\033]52;c;aGk=\a");
    ht_error err;
    assert_int_equal(osc52_copy(-1, "hi", 2, &err), HT_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648),
        cmocka_unit_test(test_wrap_detection),
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_screen_chunks),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_copy_writes_fd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
