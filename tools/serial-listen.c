/*
 * tools/serial-listen.c - show a Bochs serial port live.
 *
 * Bochs writes `com1: mode=file` output in chunks, so `make run` points COM1 at
 * a TCP socket instead (`mode=socket-client`). This program listens on a free
 * loopback port, writes the port number to PORTFILE, accepts one connection and
 * copies everything it receives to standard output and to LOGFILE as it comes,
 * dropping the carriage returns of "\r\n". It ends when Bochs closes the socket.
 *
 * usage: serial-listen PORTFILE LOGFILE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORTFILE LOGFILE\n", argv[0]);
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
    ssize_t n;
    while ((n = read(c, buf, sizeof(buf))) > 0) {
        size_t m = 0;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != '\r')
                out[m++] = buf[i];
        if (write(1, out, m) < 0)
            break;
        fwrite(out, 1, m, log);
        fflush(log);
    }
    fclose(log);
    return 0;
}
