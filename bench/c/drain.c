/* bench/c/drain.c: the cheapest possible syslog receiver, for the harness's
 * own ceiling (sender -> loopback -> a receiver that splits messages and
 * drops them).
 *
 * Design: one thread, epoll, a TCP listener and a UDP socket on 127.0.0.1
 * (kernel-chosen ports, written to --port-file as "tcp tcp PORT" and
 * "udp udp PORT", the format of sluice's port file). TCP bytes are split
 * into messages by LF (memchr) or by RFC 6587 octet counts (a small state
 * machine that survives any split across reads); each UDP datagram is one
 * message. It stops when --expect messages have arrived, when nothing has
 * arrived for --idle seconds after the first byte (UDP loses datagrams, so
 * a count may never be reached), or at --timeout. t_last is the time the
 * last message was complete. Output: one JSON object on stdout; exit 0
 * when --expect was reached (or none was set), 3 otherwise. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RBUF (1u << 20)
#define MAX_FDS 4096

struct conn {
    int open;
    int st;                     /* octet: 0 reading digits, 1 skipping body */
    uint64_t len;               /* octet: the count being read, then bytes left */
};

static struct conn conns[MAX_FDS];
static uint64_t msgs, bytes, t_first, t_last, nconns, udp_msgs;
static int octet;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t count_lf(const char *p, size_t n)
{
    uint64_t c = 0;
    const char *e = p + n;

    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        c++;
        p++;
    }
    return c;
}

static uint64_t count_octet(struct conn *c, const char *p, size_t n)
{
    uint64_t got = 0;
    const char *e = p + n;

    while (p < e) {
        if (c->st == 0) {
            if (*p >= '0' && *p <= '9') {
                c->len = c->len * 10 + (uint64_t)(*p - '0');
                p++;
            } else if (*p == ' ') {
                c->st = 1;
                p++;
                if (c->len == 0) {
                    got++;
                    c->st = 0;
                }
            } else {
                p++;            /* not octet framing: skip, the count will be short */
            }
        } else {
            size_t take = (size_t)(e - p) < c->len ? (size_t)(e - p) : (size_t)c->len;
            p += take;
            c->len -= take;
            if (c->len == 0) {
                got++;
                c->st = 0;
            }
        }
    }
    return got;
}

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    uint64_t expect = 0;
    double timeout = 600, idle = 0;
    static char rbuf[RBUF];
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t sl = sizeof sa;
    struct epoll_event ev, evs[64];
    int lfd, ufd, ep, one = 1, rcvbuf = 8 << 20;
    uint64_t deadline, t_last_data = 0;
    struct rusage ru;
    FILE *f;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port-file"))
            port_file = argv[i + 1];
        else if (!strcmp(argv[i], "--expect"))
            expect = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--framing"))
            octet = !strcmp(argv[i + 1], "octet");
        else if (!strcmp(argv[i], "--timeout"))
            timeout = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--idle"))
            idle = atof(argv[i + 1]);
        else {
            fprintf(stderr, "usage: drain --port-file F [--expect N] [--framing lf|octet] "
                            "[--timeout S] [--idle S]\n");
            return 1;
        }
    }
    if (!port_file) {
        fprintf(stderr, "drain: --port-file is required\n");
        return 1;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(ufd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (lfd < 0 || ufd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 128) ||
        bind(ufd, (struct sockaddr *)&sa, sizeof sa)) {
        perror("drain: listen");
        return 1;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = ufd;
    epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev);
    {
        /* Write then rename, so a reader never sees half a file. */
        char tmp[4096];
        struct sockaddr_in ua;
        socklen_t ul = sizeof ua;

        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        getsockname(lfd, (struct sockaddr *)&sa, &sl);
        getsockname(ufd, (struct sockaddr *)&ua, &ul);
        f = fopen(tmp, "w");
        if (!f) {
            perror("drain: port file");
            return 1;
        }
        fprintf(f, "tcp tcp %d\nudp udp %d\n", ntohs(sa.sin_port), ntohs(ua.sin_port));
        fclose(f);
        rename(tmp, port_file);
    }
    deadline = now_ns() + (uint64_t)(timeout * 1e9);
    while (!stop && (expect == 0 || msgs < expect)) {
        uint64_t t = now_ns();
        int n;

        if (t > deadline)
            break;
        if (idle > 0 && t_last_data && t - t_last_data > (uint64_t)(idle * 1e9))
            break;
        n = epoll_wait(ep, evs, 64, 100);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;

            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    if (c >= MAX_FDS) {
                        close(c);
                        continue;
                    }
                    memset(&conns[c], 0, sizeof conns[c]);
                    conns[c].open = 1;
                    nconns++;
                    ev.events = EPOLLIN;
                    ev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
            } else if (fd == ufd) {
                ssize_t r;
                while ((r = recv(ufd, rbuf, RBUF, 0)) >= 0) {
                    t_last_data = t_last = now_ns();
                    if (!t_first)
                        t_first = t_last;
                    bytes += (uint64_t)r;
                    msgs++;
                    udp_msgs++;
                }
            } else {
                ssize_t r;
                uint64_t got = 0;

                /* One read per wakeup keeps connections fair; level-triggered
                 * epoll brings us back while data remains. */
                r = read(fd, rbuf, RBUF);
                if (r > 0) {
                    t_last_data = now_ns();
                    if (!t_first)
                        t_first = t_last_data;
                    bytes += (uint64_t)r;
                    got = octet ? count_octet(&conns[fd], rbuf, (size_t)r) : count_lf(rbuf, (size_t)r);
                    if (got) {
                        msgs += got;
                        t_last = t_last_data;
                    }
                } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                    close(fd);
                    conns[fd].open = 0;
                }
            }
        }
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"msgs\":%llu,\"udp_msgs\":%llu,\"bytes\":%llu,\"conns\":%llu,\"t_first_ns\":%llu,"
           "\"t_last_ns\":%llu,\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"reached\":%s}\n",
           (unsigned long long)msgs, (unsigned long long)udp_msgs, (unsigned long long)bytes,
           (unsigned long long)nconns, (unsigned long long)t_first, (unsigned long long)t_last,
           (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
           expect == 0 || msgs >= expect ? "true" : "false");
    return expect == 0 || msgs >= expect ? 0 : 3;
}
