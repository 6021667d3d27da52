/* tests/unit/test_listen.c: TCP and UDP inputs on real loopback sockets.
 * The event loop is stepped from the test thread (EVLOOP_ONCE with a 10 ms
 * tick), every wait is bounded by a deadline and ends on the condition it
 * awaits; only "nothing arrives" checks wait out a short bound. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "common/bounds.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "shipper/frame.h"
#include "shipper/listen.h"
#include "tests/unit/tu.h"

#define WAIT_MS     10000   /* a condition that must come true */
#define QUIET_MS    200     /* a condition that must stay false */
#define GOT_MAX     8192

static struct event_base *base;
static struct event *tick;
static FILE *log_sink;

static struct {
    size_t n;
    char *msg[GOT_MAX];
    size_t len[GOT_MAX];
    unsigned flags[GOT_MAX];
    int family[GOT_MAX];
    int64_t recv_ns[GOT_MAX];
} got;

static struct listener *pause_in_cb;    /* paused by the callback at its first message */
static int allow_loopback = 1;

static void got_reset(void)
{
    for (size_t i = 0; i < got.n; i++)
        sl_free(got.msg[i]);
    memset(&got, 0, sizeof got);
    pause_in_cb = NULL;
    allow_loopback = 1;
}

static void on_msg(void *arg, const char *msg, size_t len, unsigned flags,
                   const struct sockaddr *src, socklen_t srclen, int64_t recv_ns)
{
    (void)arg;
    (void)srclen;
    if (pause_in_cb) {
        listen_pause(pause_in_cb);
        pause_in_cb = NULL;
    }
    if (got.n >= GOT_MAX)
        return;
    got.msg[got.n] = sl_strndup(msg, len);
    got.len[got.n] = len;
    got.flags[got.n] = flags;
    got.family[got.n] = src ? src->sa_family : -1;
    got.recv_ns[got.n] = recv_ns;
    got.n++;
}

static int allow_fn(void *arg, const struct sockaddr *sa, socklen_t len)
{
    (void)arg;
    (void)len;
    if (sa->sa_family == AF_INET &&
        ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
        return allow_loopback;
    return 1;
}

static void noop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

/* Steps the loop until cond holds or ms pass; the value of cond at the end. */
#define PUMP_UNTIL(cond, ms) \
    ({ uint64_t dl_ = sl_clock_mono_ms() + (ms); \
       while (!(cond) && sl_clock_mono_ms() < dl_) \
           event_base_loop(base, EVLOOP_ONCE); \
       (cond); })

static void pump_for(unsigned ms)
{
    uint64_t dl = sl_clock_mono_ms() + ms;

    while (sl_clock_mono_ms() < dl)
        event_base_loop(base, EVLOOP_ONCE);
}

#define STAT(l, f) atomic_load(&listen_stats(l)->f)

static struct listener *open_l(int proto, const char *host, size_t max_msg, unsigned max_conns,
                               int with_allow)
{
    struct listen_opts o = {
        .proto = proto, .host = host, .port = "0", .max_msg = max_msg,
        .max_conns = max_conns, .name = "test",
        .allow = with_allow ? allow_fn : NULL,
    };
    struct listener *l = NULL;
    struct sl_err err = { 0 };
    int rc = listen_open(&l, base, &o, on_msg, NULL, &err);

    if (rc)
        fprintf(stderr, "\n  listen_open: %s: %s\n", err.where, err.msg);
    CU_ASSERT_EQUAL(rc, 0);
    if (l)
        CU_ASSERT(listen_port(l) > 0);
    return l;
}

static int client(int type, int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, type, 0);

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
    return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

        CU_ASSERT_FATAL(k > 0);
        s += k;
        n -= (size_t)k;
    }
}

static void send_str(int fd, const char *s)
{
    send_all(fd, s, strlen(s));
}

/* Waits (bounded) until the server closes fd: 1 when it did. */
static int closed_by_server(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char c;

    if (poll(&p, 1, WAIT_MS) != 1)
        return 0;
    return recv(fd, &c, 1, 0) <= 0;
}

static int has_msg(const char *text, unsigned flags)
{
    for (size_t i = 0; i < got.n; i++)
        if (got.len[i] == strlen(text) && memcmp(got.msg[i], text, got.len[i]) == 0 &&
            got.flags[i] == flags)
            return 1;
    return 0;
}

static int suite_init(void)
{
    struct timeval tv = { 0, 10000 };

    base = event_base_new();
    if (!base)
        return -1;
    tick = event_new(base, -1, EV_PERSIST, noop, NULL);
    event_add(tick, &tv);
    return 0;
}

static int suite_cleanup(void)
{
    event_free(tick);
    event_base_free(base);
    return 0;
}

static void setup(void)
{
    got_reset();
}

static void teardown(void)
{
    got_reset();
}

static void t_tcp_many_conns(void)
{
    enum { NCONN = 50, NMSG = 100 };
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0);
    int fd[NCONN], next[NCONN] = { 0 };
    int64_t t0 = sl_clock_real_ns();
    int bad = 0;

    CU_ASSERT_FATAL(l != NULL);
    for (int c = 0; c < NCONN; c++)
        fd[c] = client(SOCK_STREAM, listen_port(l));
    for (int i = 0; i < NMSG; i++)
        for (int c = 0; c < NCONN; c++) {
            char line[64];

            snprintf(line, sizeof line, "<13>conn=%02d seq=%03d\n", c, i);
            send_str(fd[c], line);
        }
    CU_ASSERT(PUMP_UNTIL(got.n >= NCONN * NMSG, WAIT_MS));
    CU_ASSERT_EQUAL(got.n, NCONN * NMSG);
    /* Every message once, in order within its connection. */
    for (size_t i = 0; i < got.n; i++) {
        int c, s;

        if (sscanf(got.msg[i], "<13>conn=%d seq=%d", &c, &s) != 2 || c < 0 || c >= NCONN ||
            s != next[c] || got.len[i] != 19 || got.flags[i] != 0 || got.family[i] != AF_INET ||
            got.recv_ns[i] < t0) {
            bad++;
            continue;
        }
        next[c]++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    for (int c = 0; c < NCONN; c++)
        CU_ASSERT_EQUAL(next[c], NMSG);
    CU_ASSERT_EQUAL(STAT(l, conns_open), NCONN);
    CU_ASSERT_EQUAL(STAT(l, conns_total), NCONN);
    CU_ASSERT_EQUAL(STAT(l, msgs), NCONN * NMSG);
    CU_ASSERT_EQUAL(STAT(l, bytes), NCONN * NMSG * 20);
    for (int c = 0; c < NCONN; c++)
        close(fd[c]);
    CU_ASSERT(PUMP_UNTIL(STAT(l, conns_open) == 0, WAIT_MS));
    CU_ASSERT_EQUAL(STAT(l, partial), 0);
    listen_close(l);
}

static void t_tcp_octet_counted(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 16, 0, 0);
    int fd;

    CU_ASSERT_FATAL(l != NULL);
    fd = client(SOCK_STREAM, listen_port(l));
    send_str(fd, "1");
    send_str(fd, "2 <13>hel");
    send_str(fd, "lo wo");
    send_str(fd, "13 <13>two\nlines<13>lf line\r\n");
    send_str(fd, "34 <13>this one is over sixteen bytes");
    send_str(fd, "0 zero\n8 <13>last");
    CU_ASSERT(PUMP_UNTIL(got.n >= 6, WAIT_MS));
    CU_ASSERT_EQUAL(got.n, 6);
    CU_ASSERT(has_msg("<13>hello wo", 0));
    CU_ASSERT(has_msg("<13>two\nlines", 0));
    CU_ASSERT(has_msg("<13>lf line", 0));
    CU_ASSERT(has_msg("<13>this one is ", FRAME_TRUNCATED));
    CU_ASSERT(has_msg("0 zero", FRAME_BAD_COUNT));
    CU_ASSERT(has_msg("<13>last", 0));
    CU_ASSERT_EQUAL(STAT(l, truncated), 1);
    CU_ASSERT_EQUAL(STAT(l, bad_frames), 1);
    close(fd);
    listen_close(l);
}

static void t_udp_datagrams(void)
{
    struct listener *l = open_l(LISTEN_UDP, "127.0.0.1", 32, 0, 0);
    char big[100];
    int fd;
    int64_t t0 = sl_clock_real_ns(), t1;

    CU_ASSERT_FATAL(l != NULL);
    fd = client(SOCK_DGRAM, listen_port(l));
    for (int i = 0; i < 20; i++) {
        char d[64];

        snprintf(d, sizeof d, "<13>udp %02d%s", i, i % 3 == 0 ? "\n" : i % 3 == 1 ? "\r\n" : "");
        send_str(fd, d);
    }
    memset(big, 'b', sizeof big);
    send_all(fd, big, sizeof big);
    send_str(fd, "<13>exactly thirty-two bytes....\n");   /* 32 bytes plus LF: whole */
    send_str(fd, "\n");                                  /* empty: nothing */
    send_str(fd, "<13>after\n");
    CU_ASSERT(PUMP_UNTIL(got.n >= 23, WAIT_MS));
    t1 = sl_clock_real_ns();
    CU_ASSERT_EQUAL(got.n, 23);
    for (int i = 0; i < 20 && (size_t)i < got.n; i++) {
        char want[32];

        snprintf(want, sizeof want, "<13>udp %02d", i);
        TU_ASSERT_STR(got.msg[i], want);
        CU_ASSERT_EQUAL(got.flags[i], 0);
        CU_ASSERT(got.recv_ns[i] >= t0 && got.recv_ns[i] <= t1);
        CU_ASSERT_EQUAL(got.family[i], AF_INET);
    }
    CU_ASSERT(got.n == 23 && got.len[20] == 32 && got.flags[20] == FRAME_TRUNCATED &&
              memcmp(got.msg[20], big, 32) == 0);
    CU_ASSERT(has_msg("<13>exactly thirty-two bytes....", 0));
    CU_ASSERT(has_msg("<13>after", 0));
    CU_ASSERT_EQUAL(STAT(l, truncated), 1);
    CU_ASSERT_EQUAL(STAT(l, msgs), 23);
    close(fd);
    listen_close(l);
}

static void t_udp_allow_list(void)
{
    struct listener *l = open_l(LISTEN_UDP, "127.0.0.1", 0, 0, 1);
    int fd;

    CU_ASSERT_FATAL(l != NULL);
    fd = client(SOCK_DGRAM, listen_port(l));
    allow_loopback = 0;
    send_str(fd, "<13>refused one");
    send_str(fd, "<13>refused two");
    CU_ASSERT(PUMP_UNTIL(STAT(l, dgrams_refused) == 2, WAIT_MS));
    CU_ASSERT_EQUAL(got.n, 0);
    allow_loopback = 1;
    send_str(fd, "<13>welcome");
    CU_ASSERT(PUMP_UNTIL(got.n == 1, WAIT_MS));
    CU_ASSERT(has_msg("<13>welcome", 0));
    close(fd);
    listen_close(l);
}

static void t_drop_mid_frame(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0);
    int a, b;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    send_str(a, "<13>whole\n<13>half");
    close(a);
    CU_ASSERT(PUMP_UNTIL(got.n >= 2, WAIT_MS));
    CU_ASSERT_EQUAL(got.n, 2);
    CU_ASSERT(got.n == 2 && strcmp(got.msg[0], "<13>whole") == 0 && got.flags[0] == 0);
    CU_ASSERT(got.n == 2 && strcmp(got.msg[1], "<13>half") == 0 && got.flags[1] == FRAME_PARTIAL);
    CU_ASSERT_EQUAL(STAT(l, partial), 1);
    CU_ASSERT(PUMP_UNTIL(STAT(l, conns_open) == 0, WAIT_MS));
    b = client(SOCK_STREAM, listen_port(l));
    send_str(b, "<13>next\n");
    CU_ASSERT(PUMP_UNTIL(got.n >= 3, WAIT_MS));
    CU_ASSERT(got.n == 3 && strcmp(got.msg[2], "<13>next") == 0 && got.flags[2] == 0);
    close(b);
    listen_close(l);
}

static void t_reset_mid_frame(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0);
    struct linger lg = { 1, 0 };
    int a, b;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    b = client(SOCK_STREAM, listen_port(l));
    send_str(a, "<13>before reset\n<13>cut");
    CU_ASSERT(PUMP_UNTIL(got.n >= 1 && STAT(l, bytes) >= 24, WAIT_MS));
    setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(a);                                /* RST */
    CU_ASSERT(PUMP_UNTIL(got.n >= 2, WAIT_MS));
    CU_ASSERT(has_msg("<13>cut", FRAME_PARTIAL));
    CU_ASSERT_EQUAL(STAT(l, read_errors), 1);
    /* The other connection does not notice. */
    send_str(b, "<13>still here\n");
    CU_ASSERT(PUMP_UNTIL(got.n >= 3, WAIT_MS));
    CU_ASSERT(has_msg("<13>still here", 0));
    CU_ASSERT_EQUAL(STAT(l, conns_open), 1);
    close(b);
    listen_close(l);
}

static void t_allow_list_tcp(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 1);
    int a, b;

    CU_ASSERT_FATAL(l != NULL);
    allow_loopback = 0;
    a = client(SOCK_STREAM, listen_port(l));
    send(a, "<13>secret\n", 11, MSG_NOSIGNAL);
    CU_ASSERT(PUMP_UNTIL(STAT(l, conns_refused) == 1, WAIT_MS));
    CU_ASSERT(closed_by_server(a));
    pump_for(QUIET_MS);
    CU_ASSERT_EQUAL(got.n, 0);
    CU_ASSERT_EQUAL(STAT(l, msgs), 0);
    CU_ASSERT_EQUAL(STAT(l, conns_total), 0);
    close(a);
    allow_loopback = 1;
    b = client(SOCK_STREAM, listen_port(l));
    send_str(b, "<13>welcome\n");
    CU_ASSERT(PUMP_UNTIL(got.n == 1, WAIT_MS));
    CU_ASSERT(has_msg("<13>welcome", 0));
    CU_ASSERT_EQUAL(STAT(l, conns_refused), 1);
    close(b);
    listen_close(l);
}

static void t_pause_resume(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0);
    int a, b;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    send_str(a, "<13>one\n");
    CU_ASSERT(PUMP_UNTIL(got.n == 1, WAIT_MS));
    listen_pause(l);
    send_str(a, "<13>two\n");
    b = client(SOCK_STREAM, listen_port(l));    /* not accepted while paused */
    send_str(b, "<13>three\n");
    pump_for(QUIET_MS);
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT_EQUAL(STAT(l, bytes), 8);
    CU_ASSERT_EQUAL(STAT(l, conns_total), 1);
    listen_resume(l);
    CU_ASSERT(PUMP_UNTIL(got.n == 3, WAIT_MS));
    CU_ASSERT(has_msg("<13>two", 0));
    CU_ASSERT(has_msg("<13>three", 0));
    CU_ASSERT_EQUAL(STAT(l, conns_total), 2);
    close(a);
    close(b);
    listen_close(l);
}

static void t_pause_inside_callback(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0);
    int a;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    pause_in_cb = l;
    send_str(a, "<13>a\n<13>b\n");
    /* Both came in one read: the read under way is delivered whole. */
    CU_ASSERT(PUMP_UNTIL(got.n == 2, WAIT_MS));
    send_str(a, "<13>c\n");
    pump_for(QUIET_MS);
    CU_ASSERT_EQUAL(got.n, 2);
    listen_resume(l);
    CU_ASSERT(PUMP_UNTIL(got.n == 3, WAIT_MS));
    CU_ASSERT(has_msg("<13>c", 0));
    close(a);
    listen_close(l);
}

static void *pause_thread(void *arg)
{
    listen_pause(arg);
    return NULL;
}

static void *resume_thread(void *arg)
{
    listen_resume(arg);
    return NULL;
}

static void t_pause_from_other_thread(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0);
    pthread_t th;
    int a;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    CU_ASSERT(PUMP_UNTIL(STAT(l, conns_open) == 1, WAIT_MS));
    pthread_create(&th, NULL, pause_thread, l);
    pthread_join(th, NULL);
    event_base_loop(base, EVLOOP_NONBLOCK);     /* the control event runs */
    send_str(a, "<13>held\n");
    pump_for(QUIET_MS);
    CU_ASSERT_EQUAL(got.n, 0);
    pthread_create(&th, NULL, resume_thread, l);
    pthread_join(th, NULL);
    CU_ASSERT(PUMP_UNTIL(got.n == 1, WAIT_MS));
    CU_ASSERT(has_msg("<13>held", 0));
    close(a);
    listen_close(l);
}

static void t_udp_ignores_pause(void)
{
    struct listener *l = open_l(LISTEN_UDP, "127.0.0.1", 0, 0, 0);
    int fd;

    CU_ASSERT_FATAL(l != NULL);
    listen_pause(l);
    fd = client(SOCK_DGRAM, listen_port(l));
    send_str(fd, "<13>udp while paused");
    CU_ASSERT(PUMP_UNTIL(got.n == 1, WAIT_MS));
    CU_ASSERT(has_msg("<13>udp while paused", 0));
    listen_resume(l);
    close(fd);
    listen_close(l);
}

static void t_max_conns(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 2, 0);
    int a, b, c, d;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    b = client(SOCK_STREAM, listen_port(l));
    CU_ASSERT(PUMP_UNTIL(STAT(l, conns_open) == 2, WAIT_MS));
    c = client(SOCK_STREAM, listen_port(l));
    CU_ASSERT(PUMP_UNTIL(STAT(l, conns_over_max) == 1, WAIT_MS));
    CU_ASSERT(closed_by_server(c));
    CU_ASSERT_EQUAL(STAT(l, conns_open), 2);
    send_str(a, "<13>from a\n");
    send_str(b, "<13>from b\n");
    CU_ASSERT(PUMP_UNTIL(got.n == 2, WAIT_MS));
    CU_ASSERT(has_msg("<13>from a", 0));
    CU_ASSERT(has_msg("<13>from b", 0));
    /* A slot freed is a slot for the next sender. */
    close(a);
    CU_ASSERT(PUMP_UNTIL(STAT(l, conns_open) == 1, WAIT_MS));
    d = client(SOCK_STREAM, listen_port(l));
    send_str(d, "<13>from d\n");
    CU_ASSERT(PUMP_UNTIL(got.n == 3, WAIT_MS));
    CU_ASSERT(has_msg("<13>from d", 0));
    CU_ASSERT_EQUAL(STAT(l, conns_total), 3);
    CU_ASSERT_EQUAL(STAT(l, conns_over_max), 1);
    close(b);
    close(c);
    close(d);
    listen_close(l);
}

static void t_close_delivers_partial(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0);
    int a;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    send_str(a, "<13>unfinished");
    CU_ASSERT(PUMP_UNTIL(STAT(l, bytes) == 14, WAIT_MS));
    CU_ASSERT_EQUAL(got.n, 0);
    listen_close(l);
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT(has_msg("<13>unfinished", FRAME_PARTIAL));
    CU_ASSERT(closed_by_server(a));
    close(a);
}

static void t_lf_over_max_tcp(void)
{
    struct listener *l = open_l(LISTEN_TCP, "127.0.0.1", 8, 0, 0);
    int a;

    CU_ASSERT_FATAL(l != NULL);
    a = client(SOCK_STREAM, listen_port(l));
    send_str(a, "<13>0123456789\n<13>ok\n");
    CU_ASSERT(PUMP_UNTIL(got.n == 2, WAIT_MS));
    CU_ASSERT(has_msg("<13>0123", FRAME_TRUNCATED));
    CU_ASSERT(has_msg("<13>ok", 0));
    close(a);
    listen_close(l);
}

static void t_ipv6(void)
{
    struct listen_opts o = { .proto = LISTEN_TCP, .host = "::1", .port = "0", .name = "v6" };
    struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    struct listener *l = NULL;
    struct sl_err err = { 0 };
    int fd;

    if (listen_open(&l, base, &o, on_msg, NULL, &err) != 0) {
        fprintf(stderr, "(no IPv6 loopback here: %s) ", err.msg);
        CU_PASS("IPv6 unavailable");
        return;
    }
    sin6.sin6_port = htons((uint16_t)listen_port(l));
    fd = socket(AF_INET6, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sin6, sizeof sin6) == 0);
    send_str(fd, "<13>over v6\n");
    CU_ASSERT(PUMP_UNTIL(got.n == 1, WAIT_MS));
    CU_ASSERT(has_msg("<13>over v6", 0));
    CU_ASSERT(got.n == 1 && got.family[0] == AF_INET6);
    close(fd);
    listen_close(l);
}

static void t_open_errors(void)
{
    struct listener *first = open_l(LISTEN_TCP, "127.0.0.1", 0, 0, 0), *l = NULL;
    char port[16];
    struct listen_opts o = { .proto = LISTEN_TCP, .host = "127.0.0.1", .port = port };
    struct sl_err err = { 0 };
    int fd;

    CU_ASSERT_FATAL(first != NULL);
    snprintf(port, sizeof port, "%d", listen_port(first));
    CU_ASSERT_EQUAL(listen_open(&l, base, &o, on_msg, NULL, &err), SL_ENET);
    CU_ASSERT(l == NULL);
    TU_ASSERT_HAS(err.msg, "bind");
    o.proto = 7;
    CU_ASSERT_EQUAL(listen_open(&l, base, &o, on_msg, NULL, &err), SL_EINVAL);
    o.proto = LISTEN_TCP;
    o.max_msg = SL_MAX_MSG_LIMIT + 1;
    CU_ASSERT_EQUAL(listen_open(&l, base, &o, on_msg, NULL, &err), SL_ETOOBIG);
    CU_ASSERT(l == NULL);
    /* The first listener still works. */
    fd = client(SOCK_STREAM, listen_port(first));
    send_str(fd, "<13>fine\n");
    CU_ASSERT(PUMP_UNTIL(got.n == 1, WAIT_MS));
    close(fd);
    listen_close(first);
    listen_close(NULL);
}

static CU_TestInfo listen_tests[] = {
    { "50 TCP connections of 100 messages give 5000 messages in order", t_tcp_many_conns },
    { "octet-counted frames over TCP, split across sends", t_tcp_octet_counted },
    { "LF frame over max_msg over TCP is truncated, next intact", t_lf_over_max_tcp },
    { "UDP datagrams are one message each, LF stripped, oversize truncated", t_udp_datagrams },
    { "UDP allow list drops and counts datagrams, then lets one in", t_udp_allow_list },
    { "connection dropped mid-frame gives one partial message, next connection fine", t_drop_mid_frame },
    { "connection reset counts a read error, other connections go on", t_reset_mid_frame },
    { "allow list refusing 127.0.0.1 closes the connection, counts it, next allowed", t_allow_list_tcp },
    { "pause holds data in the socket and stops accepting; resume delivers it", t_pause_resume },
    { "pause inside the callback holds the next read", t_pause_inside_callback },
    { "pause and resume from another thread", t_pause_from_other_thread },
    { "UDP keeps reading while paused", t_udp_ignores_pause },
    { "max_conns closes the excess connection; a freed slot is reused", t_max_conns },
    { "listen_close delivers each open connection's half frame", t_close_delivers_partial },
    { "IPv6 loopback listener takes messages", t_ipv6 },
    { "port in use and bad options fail with an error; the first listener goes on", t_open_errors },
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    { "listen", suite_init, suite_cleanup, setup, teardown, listen_tests },
    CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
    int rc;

    evthread_use_pthreads();
    /* Log lines are formatted (so valgrind sees that code) but kept off the
     * test output unless SL_TEST_LOG is set. */
    sl_log_set_level(SL_LOG_DEBUG);
    if (!getenv("SL_TEST_LOG")) {
        log_sink = fopen("/dev/null", "w");
        sl_log_set_stream(log_sink);
    }
    rc = tu_main(argc, argv, suites);
    if (log_sink)
        fclose(log_sink);
    return rc;
}
