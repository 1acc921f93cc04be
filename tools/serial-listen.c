/*
 * tools/serial-listen.c - show a Bochs serial port live, and type into it.
 *
 * Bochs writes `com1: mode=file` output in chunks, so the runner points COM1 at a TCP socket
 * instead (`mode=socket-client`). This program listens on a free loopback port, writes the
 * port number to PORTFILE, accepts one connection and copies everything it receives to
 * standard output and to LOGFILE as it comes, dropping the carriage returns of "\r\n". It ends
 * when Bochs closes the socket.
 *
 * What goes the other way (Bochs's socket modes are bidirectional: the bytes it reads become
 * the COM1 receiver's, which the hypervisor hands to the guest):
 *   INPUT "-"     standard input, byte by byte as it comes (a person typing; the runner puts
 *                 the terminal in non-canonical mode); its end stops only the input
 *   INPUT a file  a script, one command a line:
 *                   wait TEXT   wait until TEXT has appeared in the output (after the text
 *                               the previous wait matched)
 *                   send TEXT   send TEXT and a newline
 *                 lines starting with '#' and empty lines are skipped
 * Sent bytes are paced (SEND_GAP_MS apart): COM1's receive FIFO holds 16 bytes, and what a
 * guest has not taken by the next byte would be lost to an overrun.
 *
 * usage: serial-listen PORTFILE LOGFILE [INPUT]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SEND_GAP_MS 40
#define SEEN_MAX    65536 /* the output a wait searches: what came since the last match */

struct script {
    FILE *f;
    char want[1100]; /* the text being waited for; "" when not waiting */
    char out[1100];  /* bytes to send, from out_pos */
    size_t out_len, out_pos;
    int done;
};

static char seen[SEEN_MAX + 1];
static size_t seen_len;

static void seen_add(const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\0')
            continue;
        if (seen_len == SEEN_MAX) { /* keep the newer half */
            memmove(seen, seen + SEEN_MAX / 2, SEEN_MAX / 2);
            seen_len = SEEN_MAX / 2;
        }
        seen[seen_len++] = b[i];
    }
    seen[seen_len] = '\0';
}

/* Read script lines until one waits for output or sends bytes (or the script ends). */
static void script_next(struct script *s)
{
    char line[1100];
    while (!s->want[0] && s->out_pos == s->out_len && !s->done) {
        if (!fgets(line, sizeof(line), s->f)) {
            s->done = 1;
            return;
        }
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "wait ", 5) == 0) {
            snprintf(s->want, sizeof(s->want), "%s", line + 5);
        } else if (strncmp(line, "send ", 5) == 0) {
            s->out_len = (size_t)snprintf(s->out, sizeof(s->out), "%s\n", line + 5);
            s->out_pos = 0;
        } else if (line[0] && line[0] != '#') {
            fprintf(stderr, "serial-listen: script line not understood: %s\n", line);
        }
    }
}

/* A wait is over when its text has come: the search goes on after it. */
static void script_seen(struct script *s)
{
    char *at;
    if (s->want[0] && (at = strstr(seen, s->want))) {
        size_t end = (size_t)(at - seen) + strlen(s->want);
        memmove(seen, seen + end, seen_len - end + 1);
        seen_len -= end;
        s->want[0] = '\0';
        script_next(s);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s PORTFILE LOGFILE [INPUT]\n", argv[0]);
        return 2;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1) ||
        getsockname(s, (struct sockaddr *)&a, &len)) {
        perror("serial-listen");
        return 1;
    }
    int from_stdin = argc == 4 && strcmp(argv[3], "-") == 0;
    struct script sc = {0};
    if (argc == 4 && !from_stdin) {
        sc.f = fopen(argv[3], "r");
        if (!sc.f) {
            perror(argv[3]);
            return 1;
        }
        script_next(&sc);
    }
    FILE *log = fopen(argv[2], "w");
    if (!log) {
        perror("serial-listen");
        return 1;
    }
    FILE *pf = fopen(argv[1], "w");
    if (!pf) {
        perror("serial-listen");
        fclose(log);
        return 1;
    }
    fprintf(pf, "%u\n", ntohs(a.sin_port));
    fclose(pf);
    int c = accept(s, NULL, NULL);
    if (c < 0) {
        perror("serial-listen: accept");
        fclose(log);
        return 1;
    }
    char buf[4096], out[4096];
    for (;;) {
        int sending = sc.f && sc.out_pos < sc.out_len;
        struct pollfd fds[2] = {{c, POLLIN, 0}, {0, POLLIN, 0}};
        int nfds = from_stdin ? 2 : 1;
        int ready = poll(fds, (nfds_t)nfds, sending ? SEND_GAP_MS : -1);
        if (ready < 0)
            break;
        if (ready == 0 && sending) { /* one paced byte of the script */
            if (write(c, &sc.out[sc.out_pos++], 1) < 0)
                break;
            script_next(&sc);
            continue;
        }
        if (fds[0].revents) {
            ssize_t n = read(c, buf, sizeof(buf));
            if (n <= 0)
                break;
            size_t m = 0;
            for (ssize_t i = 0; i < n; i++)
                if (buf[i] != '\r')
                    out[m++] = buf[i];
            if (write(1, out, m) < 0)
                break;
            fwrite(out, 1, m, log);
            fflush(log);
            if (sc.f) {
                seen_add(out, m);
                script_seen(&sc);
            }
        }
        if (from_stdin && fds[1].revents) {
            char in;
            if (read(0, &in, 1) == 1) {
                if (write(c, &in, 1) < 0)
                    break;
            } else {
                from_stdin = 0; /* end of input: the output goes on */
            }
        }
    }
    fclose(log);
    return 0;
}
