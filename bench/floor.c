/*
 * The benchmark's floor: the least an HTTP server on this machine can spend per response.
 *
 * bench/http.sh runs it next to feedwright and nginx, on the same bytes, and reports its
 * CPU time per request as "floor". It does nothing a real server must: it does not parse
 * the request (it only looks for an If-None-Match or a gzip Accept-Encoding), checks no
 * limits, never reads the clock (its Date header is fixed), logs nothing. What it spends is
 * what the kernel spends on one keep-alive request over loopback: one recv, then the head
 * (MSG_MORE) and a sendfile of the body, or one send of a 304 head (or of a HEAD's head). So the gap between a
 * server's figure and the floor's is what that server's own work costs, on this machine.
 *
 *   floor PORT IDENTITY_FILE GZIP_FILE ETAG
 *
 * Two threads, each with its own SO_REUSEPORT listener and edge-triggered epoll loop.
 * Linux only. Not part of feedwright; built by bench/http.sh with `cc -O2`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FD 65536
#define THREADS 2

struct body {
    int fd;
    off_t size;
    char head[512];
    int head_len;
};

/* A response body still being sent (the socket's buffer was full). */
struct pending {
    const struct body *body;
    off_t offset;
};

static int port;
static struct body identity, gzipped;
static char not_modified[512];
static int not_modified_len;
static struct pending pending[MAX_FD];

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void load(struct body *b, const char *path, const char *etag, const char *encoding) {
    struct stat st;
    b->fd = open(path, O_RDONLY);
    if (b->fd < 0 || fstat(b->fd, &st) != 0)
        die(path);
    b->size = st.st_size;
    b->head_len = snprintf(b->head, sizeof b->head,
                           "HTTP/1.1 200 OK\r\n"
                           "content-type: application/rss+xml; charset=utf-8\r\n"
                           "%s"
                           "etag: %s\r\n"
                           "last-modified: Thu, 16 Apr 2026 00:00:00 GMT\r\n"
                           "cache-control: public, max-age=300\r\n"
                           "vary: Accept-Encoding\r\n"
                           "date: Sun, 06 Dec 2026 00:00:00 GMT\r\n"
                           "content-length: %lld\r\n\r\n",
                           encoding, etag, (long long)b->size);
}

/* Sends what is left of the connection's body; 0 when done or blocked, -1 on error. */
static int send_pending(int fd) {
    struct pending *p = &pending[fd];
    while (p->body && p->offset < p->body->size) {
        ssize_t n = sendfile(fd, p->body->fd, &p->offset, (size_t)(p->body->size - p->offset));
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        if (n == 0)
            return -1;
    }
    p->body = NULL;
    return 0;
}

static int answer(int fd, const char *request) {
    if (strcasestr(request, "\nif-none-match:")) {
        return send(fd, not_modified, (size_t)not_modified_len, 0) < 0 ? -1 : 0;
    }
    const struct body *b = strcasestr(request, "\naccept-encoding: gzip") ? &gzipped : &identity;
    /* HEAD (the benchmark reads headers with curl -I): the head alone. */
    int head_only = strncmp(request, "HEAD ", 5) == 0;
    if (send(fd, b->head, (size_t)b->head_len, head_only ? 0 : MSG_MORE) < 0)
        return -1;
    if (head_only)
        return 0;
    pending[fd].body = b;
    pending[fd].offset = 0;
    return send_pending(fd);
}

static void *serve(void *unused) {
    (void)unused;
    int one = 1;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1024) != 0)
        die("bind");
    int epoll = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
    if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &ev) != 0)
        die("epoll");
    struct epoll_event events[256];
    char buf[8192];
    for (;;) {
        int n = epoll_wait(epoll, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int c;
                while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAX_FD) {
                        close(c);
                        continue;
                    }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    pending[c].body = NULL;
                    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.fd = c};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, c, &e);
                }
                continue;
            }
            int failed = 0;
            if (events[i].events & EPOLLOUT)
                failed = send_pending(fd);
            if (!failed && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
                /* One read per request, as wrk sends one request at a time per connection. */
                ssize_t r = recv(fd, buf, sizeof buf - 1, 0);
                if (r > 0) {
                    buf[r] = 0;
                    failed = answer(fd, buf);
                } else if (r == 0 || errno != EAGAIN) {
                    failed = -1;
                }
            }
            if (failed) {
                pending[fd].body = NULL;
                close(fd);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: floor PORT IDENTITY_FILE GZIP_FILE ETAG\n");
        return 2;
    }
    /* A client that hangs up mid-body must not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    port = atoi(argv[1]);
    load(&identity, argv[2], argv[4], "");
    char gzip_etag[256];
    snprintf(gzip_etag, sizeof gzip_etag, "%.*s-gzip\"", (int)strlen(argv[4]) - 1, argv[4]);
    load(&gzipped, argv[3], gzip_etag, "content-encoding: gzip\r\n");
    not_modified_len = snprintf(not_modified, sizeof not_modified,
                                "HTTP/1.1 304 Not Modified\r\n"
                                "etag: %s\r\n"
                                "last-modified: Thu, 16 Apr 2026 00:00:00 GMT\r\n"
                                "cache-control: public, max-age=300\r\n"
                                "vary: Accept-Encoding\r\n"
                                "date: Sun, 06 Dec 2026 00:00:00 GMT\r\n\r\n",
                                argv[4]);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, serve, NULL) != 0)
            die("pthread_create");
    pthread_join(threads[0], NULL);
    return 0;
}
