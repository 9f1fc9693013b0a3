// fetch: one HTTP/1.1 GET that costs its client almost nothing, so the benchmark measures servers, not
// curl. The body is discarded inside the kernel (recv with MSG_TRUNC on TCP copies nothing to user
// space). Prints what curl's -w '%{time_starttransfer} %{time_total} %{speed_download}' would, and
// fails (exit 1) on anything but a 200 or 206 with its whole body.
//
//   cc -O2 -o fetch bench/fetch.c && ./fetch http://127.0.0.1:5000/v2/library/x/blobs/sha256:...
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  char host[256], port[16] = "80", path[4096];
  if (argc != 2 || sscanf(argv[1], "http://%255[^:/]:%15[0-9]%4095s", host, port, path) != 3) {
    fprintf(stderr, "usage: fetch http://HOST:PORT/PATH\n");
    return 2;
  }

  double start = now();
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *address;
  if (getaddrinfo(host, port, &hints, &address) != 0) return 1;
  int fd = socket(address->ai_family, address->ai_socktype, 0);
  if (fd < 0 || connect(fd, address->ai_addr, address->ai_addrlen) != 0) { perror("connect"); return 1; }

  char request[8192];
  int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n", path, host, port);
  if (send(fd, request, length, 0) != length) return 1;

  // Headers, up to the blank line; whatever body arrived with them counts.
  static char head[65536];
  size_t have = 0;
  char *end = NULL;
  double first = 0;
  while (!end) {
    ssize_t n = recv(fd, head + have, sizeof head - 1 - have, 0);
    if (n <= 0) { fprintf(stderr, "no response headers\n"); return 1; }
    if (!first) first = now();
    have += n;
    head[have] = 0;
    end = strstr(head, "\r\n\r\n");
  }

  int status = atoi(head + 9);
  long long expected = -1, received = have - (end + 4 - head);
  for (char *line = strstr(head, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
    if (strncasecmp(line + 2, "Content-Length:", 15) == 0) expected = atoll(line + 17);
  }

  while (expected < 0 || received < expected) {
    ssize_t n = recv(fd, NULL, 1 << 30, MSG_TRUNC);
    if (n <= 0) break;
    received += n;
  }

  double total = now() - start;
  close(fd);
  if ((status != 200 && status != 206) || (expected >= 0 && received != expected)) {
    fprintf(stderr, "status %d, %lld of %lld bytes\n", status, received, expected);
    return 1;
  }

  printf("%.6f %.6f %.0f\n", first - start, total, received / total);
  return 0;
}
