/*
 * fuzz_http: raw bytes to a running server, the whole pipeline: libmicrohttpd
 * parsing, routing, the body limits, token and cookie handling, JSON parsing,
 * validation, handlers, the group-commit writer and static files. The server
 * runs inside the fuzzer process (so its threads are instrumented and a crash
 * anywhere is caught) on 127.0.0.1 with an ephemeral port and a temporary
 * database holding only the migrations; each input is sent on a fresh
 * connection, the write side is shut, and the answer read until close.
 * Anonymous surface only (no token exists to guess), with anonymous appeals
 * and a small body limit so large inputs also reach the 413 path.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "accounts/accounts.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/db.h"
#include "core/http.h"
#include "core/log.h"

void sq_app_init(void);
void sq_app_start(const struct sq_config *c);

static struct sq_config cfg;
static int port;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct sq_detail d = {0};
    char dir[] = "/tmp/sanqu-fuzz-http-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    sq_config_defaults(&cfg);
    snprintf(cfg.db, sizeof cfg.db, "%s/fuzz.db", dir);
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s/files", dir);
    snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
    cfg.port = 0;
    cfg.quiet = true;
    cfg.threads = 2;
    cfg.max_body = 4096;
    cfg.max_upload = 8192;
    cfg.anonymous_appeals = true;
    /* every input comes from 127.0.0.1: per-address limits would soon turn
     * intake and registration into 429s and hide their code from the fuzzer */
    cfg.anon_appeals_per_hour = 0;
    cfg.registrations_per_hour = 0;
    sq_log_set_quiet(true);
    sq_app_config = &cfg;
    if (sq_auth_init())
        abort();
    sq_app_init();
    if (sq_db_open(cfg.db, &d)) {
        fprintf(stderr, "fuzz_http: %s\n", d.message);
        abort();
    }
    sq_http_set_authenticator(accounts_store_authenticate);
    sq_app_start(&cfg);
    port = sq_http_start(&cfg);
    if (port <= 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_usec = 150000}; /* incomplete requests wait for more */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        size_t off = 0;
        while (off < size) {
            ssize_t w = send(fd, data + off, size - off, MSG_NOSIGNAL);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        shutdown(fd, SHUT_WR);
        /* read one answer: headers, then Content-Length bytes (a kept-alive
         * connection would otherwise hold us until the timeout) */
        char buf[16384];
        size_t have = 0;
        ssize_t got;
        while (have < sizeof buf - 1 &&
               (got = recv(fd, buf + have, sizeof buf - 1 - have, 0)) > 0) {
            have += (size_t)got;
            buf[have] = '\0';
            char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            size_t want = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
            if (have >= (size_t)(end + 4 - buf) + want)
                break;
        }
    }
    close(fd);
    return 0;
}
