// Serves one connection on a --tcplisten socket with wasi-libc's socket calls (accept, recv,
// send, shutdown, poll), checking the preview1 sock_* behaviour on the way; driven by
// tests/integration/wasi_sock.py. Prints "ok" at the end, "FAIL ..." (exit 1) on a mismatch.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

static void check(int cond, const char* what) {
  if (!cond) {
    printf("FAIL %s (errno %d)\n", what, errno);
    exit(1);
  }
}

int main(int argc, char** argv) {
  // The listener's fd: after stdio and the --dir preopens (3 without --dir), or argv[1].
  const int listener = argc > 1 ? atoi(argv[1]) : 3;
  __wasi_fdstat_t st;
  __wasi_prestat_t pre;
  check(__wasi_fd_prestat_get(listener, &pre) == __WASI_ERRNO_BADF, "a listener is no preopen");
  check(__wasi_fd_fdstat_get(listener, &st) == 0, "fdstat of the listener");
  check(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM, "listener is SOCKET_STREAM");
  check((st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT) != 0, "listener has SOCK_ACCEPT");
  check((st.fs_flags & __WASI_FDFLAGS_NONBLOCK) == 0, "listener is blocking");

  // Nobody has connected yet (the client waits for "ready").
  __wasi_fd_t none = 0;
  check(__wasi_sock_accept(listener, __WASI_FDFLAGS_NONBLOCK, &none) == __WASI_ERRNO_AGAIN,
        "NONBLOCK sock_accept with no client is EAGAIN");
  check(accept4(listener, NULL, NULL, SOCK_NONBLOCK) < 0 && errno == EAGAIN,
        "accept4(SOCK_NONBLOCK) with no client is EAGAIN");
  struct pollfd pfd = {.fd = listener, .events = POLLIN};
  check(poll(&pfd, 1, 50) == 0, "poll on the listener times out with no client");
  if (argc > 2) {  // a file in a --dir preopen: wasi-libc found the preopen before the listener
    FILE* f = fopen(argv[2], "rb");
    check(f != NULL, "open a file in the --dir preopen");
    fclose(f);
  }
  printf("no client yet: EAGAIN, poll timed out\n");

  // Not sockets: stdout is ENOTSOCK, a closed fd EBADF.
  char byte = 0;
  __wasi_iovec_t iov = {.buf = (uint8_t*)&byte, .buf_len = 1};
  __wasi_size_t got = 0;
  __wasi_roflags_t ro = 0;
  check(__wasi_sock_recv(1, &iov, 1, 0, &got, &ro) == __WASI_ERRNO_NOTSOCK, "recv stdout NOTSOCK");
  check(__wasi_sock_accept(1, 0, &none) == __WASI_ERRNO_NOTSOCK, "accept stdout NOTSOCK");
  check(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR) == __WASI_ERRNO_NOTSOCK, "shutdown NOTSOCK");
  check(__wasi_sock_recv(99, &iov, 1, 0, &got, &ro) == __WASI_ERRNO_BADF, "recv fd 99 BADF");
  check(__wasi_sock_recv(listener, &iov, 1, 0, &got, &ro) == __WASI_ERRNO_NOTCAPABLE,
        "recv on the listener NOTCAPABLE");

  printf("ready\n");
  fflush(stdout);
  int conn = accept(listener, NULL, NULL);  // parks until the client connects
  check(conn > listener, "accept");
  check(__wasi_fd_fdstat_get(conn, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM,
        "connection is SOCKET_STREAM");
  check((st.fs_rights_base & __WASI_RIGHTS_FD_READ) != 0, "connection is readable");
  check(__wasi_sock_recv(conn, &iov, 1, 7, &got, &ro) == __WASI_ERRNO_INVAL,
        "unknown riflags INVAL");
  check(__wasi_sock_send(conn, (const __wasi_ciovec_t*)&iov, 1, 1, &got) == __WASI_ERRNO_INVAL,
        "siflags INVAL");

  // The client sends "hello", then "world" once it reads "go": RECV_WAITALL waits for both.
  char buf[16] = {0};
  check(recv(conn, buf, 5, MSG_PEEK) == 5 && memcmp(buf, "hello", 5) == 0, "peek hello");
  check(write(STDOUT_FILENO, "go\n", 3) == 3, "go");
  ssize_t n = recv(conn, buf, 10, MSG_WAITALL);
  check(n == 10 && memcmp(buf, "helloworld", 10) == 0, "WAITALL helloworld");
  // Nothing more comes until we answer: a NONBLOCK fd says EAGAIN, a zero-timeout poll 0.
  check(fcntl(conn, F_SETFL, O_NONBLOCK) == 0, "set O_NONBLOCK");
  check((fcntl(conn, F_GETFL) & O_NONBLOCK) != 0, "O_NONBLOCK reads back");
  check(recv(conn, buf, 1, 0) < 0 && errno == EAGAIN, "NONBLOCK recv EAGAIN");
  check(read(conn, buf, 1) < 0 && errno == EAGAIN, "NONBLOCK fd_read EAGAIN");
  // The client sends "again" on go2: a NONBLOCK RECV_WAITALL returns the 5 bytes it finds.
  check(write(STDOUT_FILENO, "go2\n", 4) == 4, "go2");
  // poll_oneoff itself: the socket's read event (nbytes = the 5 queued bytes) comes before
  // the 30 s clock.
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 1;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = (__wasi_fd_t)conn;
  subs[1].userdata = 2;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 30000000000ull;
  __wasi_event_t events[2];
  __wasi_size_t nevents = 0;
  check(__wasi_poll_oneoff(subs, events, 2, &nevents) == 0, "poll_oneoff for again");
  check(nevents == 1 && events[0].userdata == 1 && events[0].error == 0, "the read event");
  check(events[0].fd_readwrite.nbytes == 5, "nbytes is the 5 queued bytes");
  char again[16] = {0};
  check(recv(conn, again, 10, MSG_WAITALL) == 5 && memcmp(again, "again", 5) == 0,
        "NONBLOCK WAITALL returns the partial data");
  check(fcntl(conn, F_SETFL, 0) == 0, "clear O_NONBLOCK");
  pfd.fd = conn;
  pfd.events = POLLIN;
  check(poll(&pfd, 1, 0) == 0, "poll with nothing to read");
  pfd.events = POLLOUT;
  check(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT) != 0, "poll writable");
  for (int i = 0; i < 10; ++i) buf[i] = (char)(buf[i] - 'a' + 'A');
  check(send(conn, buf, 10, 0) == 10, "send");
  check(write(conn, "bye\n", 4) == 4, "fd_write on the socket");
  // Fill the socket buffers (NONBLOCK sends until EAGAIN; the client reads only after "full"),
  // then 8 MiB of blocking sends, which park until the client drains them.
  static char bulk[65536];
  memset(bulk, 'z', sizeof bulk);
  check(fcntl(conn, F_SETFL, O_NONBLOCK) == 0, "set O_NONBLOCK for the fill");
  long filled = 0;
  for (;;) {
    ssize_t sent = send(conn, bulk, sizeof bulk, 0);
    if (sent < 0) break;
    filled += sent;
  }
  check(errno == EAGAIN, "a full socket is EAGAIN");
  check(fcntl(conn, F_SETFL, 0) == 0, "clear O_NONBLOCK after the fill");
  printf("full %ld\n", filled);
  fflush(stdout);
  for (int i = 0; i < 128; ++i) {
    for (size_t off = 0; off < sizeof bulk;) {
      ssize_t sent = send(conn, bulk + off, sizeof bulk - off, 0);
      check(sent > 0, "bulk send");
      off += (size_t)sent;
    }
  }

  // The client shuts down its side: poll sees it readable, recv returns 0.
  pfd.fd = conn;
  pfd.events = POLLIN;
  check(poll(&pfd, 1, 30000) == 1 && (pfd.revents & POLLIN) != 0, "poll readable at EOF");
  check(read(conn, buf, sizeof buf) == 0, "fd_read at EOF is 0");
  check(shutdown(conn, SHUT_WR) == 0, "shutdown");
  check(shutdown(conn, 99) < 0 && errno == EINVAL, "shutdown how=99 EINVAL");
  check(close(conn) == 0, "close");
  check(__wasi_sock_recv(conn, &iov, 1, 0, &got, &ro) == __WASI_ERRNO_BADF, "closed fd BADF");

  // A second client resets its connection: recv parks until the RST, then ECONNRESET; a send
  // after it is EPIPE (no SIGPIPE kills the runtime).
  printf("ready2\n");
  fflush(stdout);
  conn = accept(listener, NULL, NULL);
  check(conn > listener, "second accept");
  check(recv(conn, buf, sizeof buf, 0) < 0 && errno == ECONNRESET, "recv after RST ECONNRESET");
  check(send(conn, "x", 1, 0) < 0 && errno == EPIPE, "send after RST EPIPE");
  check(close(conn) == 0, "close the second");
  printf("ok\n");
  return 0;
}
