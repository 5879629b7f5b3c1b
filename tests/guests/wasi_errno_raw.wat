;; wasi_errno_raw: preview1 calls with arguments no libc can pass (bits outside each flag set,
;; rights masks, lookupflags, oflags/fdflags combinations, a NUL inside a path, a 0-byte
;; readlink buffer, whence values), each checked for its exact errno and so for the order in
;; which errors are reported (docs/guest-abi.md, "Errors and their order"). Run in a fresh
;; empty directory preopened as fd 3 (tests/integration/wasi_errno.sh). Prints
;; "FAIL case N: got G want W" per failed check, "ok N checks" when all pass; exits 1 on a
;; failure. Case numbers group the checks: 0-9 setup, 10 flag bits, 20 fds, 30 directory
;; rights, 45 oflags, 60 symlinks and escapes (180: the same with FD_READ), 80 rights granted
;; and fd_seek/fd_tell, 110 other path_* calls, 160 an fd whose file was deleted, 200 sockets.
;; Each check is one line, (call $chk CASE (call $fn ARGS...) WANT), wider than the 100
;; columns of the C++ sources on purpose: read as a table, a case per row (wrapped, it would
;; be twice as long and no easier to read).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights"
    (func $fd_fdstat_set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory"
    (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink"
    (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link"
    (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; Memory: 0 the opened fd, 64 a filestat (filetype u8 at 80, nlink u64 at 88, size u64 at 96),
  ;; 128 an fdstat (rights_base u64 at 136), 160 a u64 result, 168 a u32 result, 200 an iovec,
  ;; 216 a one-byte buffer, 224 the output iovec, 256 the output line, 1024 the strings.
  (memory (export "memory") 1)
  (data (i32.const 1024) "file.txt")        ;; 8
  (data (i32.const 1040) "dir")             ;; 3
  (data (i32.const 1048) "file_link")       ;; 9
  (data (i32.const 1064) "dir_link")        ;; 8
  (data (i32.const 1080) "dangling")        ;; 8
  (data (i32.const 1096) "loop")            ;; 4
  (data (i32.const 1104) "esc_dir")         ;; 7, a symlink to ".."
  (data (i32.const 1112) "missing")         ;; 7
  (data (i32.const 1120) "missing_target")  ;; 14
  (data (i32.const 1136) "file.txt\00x")    ;; 10: a NUL inside
  (data (i32.const 1152) "../outside")      ;; 10
  (data (i32.const 1168) "/file.txt")       ;; 9
  (data (i32.const 1184) "esc_dir/x")       ;; 9
  (data (i32.const 1200) "data")            ;; 4
  (data (i32.const 1208) ".")               ;; 1
  (data (i32.const 1216) "new")             ;; 3
  (data (i32.const 1224) "file.txt/")       ;; 9
  (data (i32.const 1240) "..")              ;; 2
  (data (i32.const 1248) "loop/x")          ;; 6
  (data (i32.const 1256) "dangling/x")      ;; 10
  (data (i32.const 1272) "new/")            ;; 4
  (data (i32.const 1280) "doomed")          ;; 6
  (data (i32.const 1300) "FAIL case ")      ;; 10
  (data (i32.const 1316) ": got ")          ;; 6
  (data (i32.const 1324) " want ")          ;; 6
  (data (i32.const 1336) "ok ")             ;; 3
  (data (i32.const 1340) " checks\n")       ;; 8
  (data (i32.const 1352) "esc_abs")         ;; 7, a symlink to "/etc/passwd"
  (data (i32.const 1360) "/etc/passwd")     ;; 11

  (global $line (mut i32) (i32.const 0))
  (global $checks (mut i32) (i32.const 0))
  (global $failures (mut i32) (i32.const 0))

  ;; ---- output ---------------------------------------------------------------------------
  (func $emit (param $p i32) (param $n i32)
    (memory.copy (i32.add (i32.const 256) (global.get $line)) (local.get $p) (local.get $n))
    (global.set $line (i32.add (global.get $line) (local.get $n))))
  (func $emit_num (param $v i32)
    (if (i32.ge_u (local.get $v) (i32.const 10))
      (then (call $emit_num (i32.div_u (local.get $v) (i32.const 10)))))
    (i32.store8 (i32.add (i32.const 256) (global.get $line))
                (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
    (global.set $line (i32.add (global.get $line) (i32.const 1))))
  (func $flush
    (i32.store (i32.const 224) (i32.const 256))
    (i32.store (i32.const 228) (global.get $line))
    (drop (call $fd_write (i32.const 1) (i32.const 224) (i32.const 1) (i32.const 232)))
    (global.set $line (i32.const 0)))

  ;; One check: `got` must equal `want`.
  (func $chk (param $case i32) (param $got i32) (param $want i32)
    (global.set $checks (i32.add (global.get $checks) (i32.const 1)))
    (if (i32.ne (local.get $got) (local.get $want))
      (then
        (global.set $failures (i32.add (global.get $failures) (i32.const 1)))
        (call $emit (i32.const 1300) (i32.const 10))
        (call $emit_num (local.get $case))
        (call $emit (i32.const 1316) (i32.const 6))
        (call $emit_num (local.get $got))
        (call $emit (i32.const 1324) (i32.const 6))
        (call $emit_num (local.get $want))
        (i32.store8 (i32.add (i32.const 256) (global.get $line)) (i32.const 10))
        (global.set $line (i32.add (global.get $line) (i32.const 1)))
        (call $flush))))

  ;; ---- helpers ----------------------------------------------------------------------------
  ;; path_open with the new fd at address 0.
  (func $open (param $dir i32) (param $look i32) (param $p i32) (param $n i32) (param $of i32)
               (param $base i64) (param $inh i64) (param $fdf i32) (result i32)
    (call $path_open (local.get $dir) (local.get $look) (local.get $p) (local.get $n)
      (local.get $of) (local.get $base) (local.get $inh) (local.get $fdf) (i32.const 0)))
  ;; path_open whose fd, if it opens, is closed at once.
  (func $try (param $dir i32) (param $look i32) (param $p i32) (param $n i32) (param $of i32)
              (param $base i64) (param $inh i64) (param $fdf i32) (result i32)
    (local $e i32)
    (local.set $e (call $open (local.get $dir) (local.get $look) (local.get $p) (local.get $n)
      (local.get $of) (local.get $base) (local.get $inh) (local.get $fdf)))
    (if (i32.eqz (local.get $e)) (then (drop (call $fd_close (i32.load (i32.const 0))))))
    (local.get $e))
  ;; The base rights of `fd` (fd_fdstat_get).
  (func $base_rights (param $fd i32) (result i64)
    (drop (call $fd_fdstat_get (local.get $fd) (i32.const 128)))
    (i64.load (i32.const 136)))
  ;; fd_write of "data".
  (func $write_data (param $fd i32) (result i32)
    (i32.store (i32.const 200) (i32.const 1200))
    (i32.store (i32.const 204) (i32.const 4))
    (call $fd_write (local.get $fd) (i32.const 200) (i32.const 1) (i32.const 208)))
  ;; fd_seek to `off` from `whence`, the new offset at 160.
  (func $seek (param $fd i32) (param $off i64) (param $whence i32) (result i32)
    (call $fd_seek (local.get $fd) (local.get $off) (local.get $whence) (i32.const 160)))

  ;; The tree: file.txt ("data"), dir/, file_link -> file.txt, dir_link -> dir,
  ;; dangling -> missing_target, loop -> loop, esc_dir -> "..", esc_abs -> /etc/passwd (creating
  ;; links that point outside is allowed: following them is what is refused).
  (func $setup (local $fd i32)
    (call $chk (i32.const 1) (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8)
      (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0)) (i32.const 0))
    (local.set $fd (i32.load (i32.const 0)))
    (call $chk (i32.const 2) (call $write_data (local.get $fd)) (i32.const 0))
    (call $chk (i32.const 3) (call $fd_close (local.get $fd)) (i32.const 0))
    (call $chk (i32.const 4) (call $path_create_directory (i32.const 3) (i32.const 1040) (i32.const 3)) (i32.const 0))
    (call $chk (i32.const 5) (call $path_symlink (i32.const 1024) (i32.const 8) (i32.const 3) (i32.const 1048) (i32.const 9)) (i32.const 0))
    (call $chk (i32.const 6) (call $path_symlink (i32.const 1040) (i32.const 3) (i32.const 3) (i32.const 1064) (i32.const 8)) (i32.const 0))
    (call $chk (i32.const 7) (call $path_symlink (i32.const 1120) (i32.const 14) (i32.const 3) (i32.const 1080) (i32.const 8)) (i32.const 0))
    (call $chk (i32.const 8) (call $path_symlink (i32.const 1096) (i32.const 4) (i32.const 3) (i32.const 1096) (i32.const 4)) (i32.const 0))
    (call $chk (i32.const 9) (call $path_symlink (i32.const 1240) (i32.const 2) (i32.const 3) (i32.const 1104) (i32.const 7)) (i32.const 0))
    (call $chk (i32.const 0) (call $path_symlink (i32.const 1360) (i32.const 11) (i32.const 3) (i32.const 1352) (i32.const 7)) (i32.const 0)))

  ;; INVAL for a bit outside oflags (u16: CREAT..TRUNC), fdflags (APPEND..SYNC), lookupflags
  ;; (SYMLINK_FOLLOW) or rights (bits 0-29), decoded before the fd is looked at.
  (func $flag_bits
    (call $chk (i32.const 10) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0x10) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 11) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0x10000) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 12) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0x20)) (i32.const 28))
    (call $chk (i32.const 13) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0x10000)) (i32.const 28))
    (call $chk (i32.const 14) (call $try (i32.const 3) (i32.const 2) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 15) (call $try (i32.const 3) (i32.const 0x80000000) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 16) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0x40000000) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 17) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0x8000000000000000) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 18) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0x8000000000000000) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 19) (call $try (i32.const -1) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0x10) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28)))

  ;; BADF for an fd not open; NOTDIR for one that is not a directory (a file, stdout).
  (func $dir_fds
    (call $chk (i32.const 20) (call $try (i32.const -1) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 8))
    (call $chk (i32.const 21) (call $try (i32.const 1) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 54))
    (call $chk (i32.const 22) (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0)) (i32.const 0))
    (call $chk (i32.const 23) (call $try (i32.load (i32.const 0)) (i32.const 0) (i32.const 1216) (i32.const 3) (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 54))
    (drop (call $fd_close (i32.load (i32.const 0)))))

  ;; NOTCAPABLE, before the path is looked at, when the directory lacks PATH_OPEN (or
  ;; PATH_CREATE_FILE for CREAT, PATH_FILESTAT_SET_SIZE for TRUNC), or cannot hand on a right
  ;; asked for (base or inheriting; DSYNC needs FD_DATASYNC, RSYNC and SYNC need FD_SYNC).
  (func $dir_rights (local $sub i32)
    ;; dir as base FD_READDIR (no PATH_OPEN), inheriting FD_READ.
    (call $chk (i32.const 30) (call $open (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 2) (i64.const 16384) (i64.const 2) (i32.const 0)) (i32.const 0))
    (local.set $sub (i32.load (i32.const 0)))
    (call $chk (i32.const 31) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.const 32) (call $try (local.get $sub) (i32.const 0) (i32.const 1136) (i32.const 10) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 76))
    (drop (call $fd_close (local.get $sub)))
    ;; dir as base PATH_OPEN, inheriting FD_READ.
    (call $chk (i32.const 33) (call $open (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 2) (i64.const 8192) (i64.const 2) (i32.const 0)) (i32.const 0))
    (local.set $sub (i32.load (i32.const 0)))
    (call $chk (i32.const 34) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0)) (i32.const 44))
    (call $chk (i32.const 35) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 64) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.const 36) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 0) (i64.const 64) (i32.const 0)) (i32.const 76))
    (call $chk (i32.const 37) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.const 38) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 8) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.const 39) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 2)) (i32.const 76))
    (call $chk (i32.const 40) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 8)) (i32.const 76))
    (call $chk (i32.const 41) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 16)) (i32.const 76))
    ;; APPEND and NONBLOCK need no right.
    (call $chk (i32.const 42) (call $try (local.get $sub) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 5)) (i32.const 44))
    (drop (call $fd_close (local.get $sub))))

  ;; oflags combinations: DIRECTORY with CREAT, EXCL or TRUNC is INVAL before the path (and
  ;; creates nothing); the rest is what open(2) says.
  (func $oflags
    (call $chk (i32.const 45) (call $try (i32.const 3) (i32.const 0) (i32.const 1216) (i32.const 3) (i32.const 3) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 46) (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 1216) (i32.const 3) (i32.const 64)) (i32.const 44))
    (call $chk (i32.const 47) (call $try (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 6) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 48) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 10) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 49) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 5) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 20))
    (call $chk (i32.const 50) (call $try (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 5) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 20))
    (call $chk (i32.const 51) (call $try (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 31))
    (call $chk (i32.const 52) (call $try (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 8) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 31))
    (call $chk (i32.const 53) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 2) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 54))
    ;; A directory asked for FD_WRITE: ISDIR; with no rights or FD_READ, and NONBLOCK: opens.
    (call $chk (i32.const 54) (call $try (i32.const 3) (i32.const 0) (i32.const 1208) (i32.const 1) (i32.const 2) (i64.const 66) (i64.const 0) (i32.const 0)) (i32.const 31))
    (call $chk (i32.const 55) (call $try (i32.const 3) (i32.const 0) (i32.const 1208) (i32.const 1) (i32.const 2) (i64.const 0) (i64.const 0) (i32.const 4)) (i32.const 0))
    (call $chk (i32.const 56) (call $try (i32.const 3) (i32.const 0) (i32.const 1208) (i32.const 1) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 4)) (i32.const 0))
    (call $chk (i32.const 57) (call $try (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 2) (i64.const 2) (i64.const 0) (i32.const 4)) (i32.const 0)))

  ;; Symlinks (SYMLINK_FOLLOW or not), escapes, odd paths; with no rights (a stat-only handle)
  ;; and with FD_READ (a real open) the answers are the same.
  (func $symlinks (param $r i64) (param $c i32)
    (call $chk (i32.add (local.get $c) (i32.const 0)) (call $try (i32.const 3) (i32.const 0) (i32.const 1048) (i32.const 9) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 32))
    (call $chk (i32.add (local.get $c) (i32.const 1)) (call $try (i32.const 3) (i32.const 1) (i32.const 1048) (i32.const 9) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 0))
    (call $chk (i32.add (local.get $c) (i32.const 2)) (call $try (i32.const 3) (i32.const 0) (i32.const 1064) (i32.const 8) (i32.const 2) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 54))
    (call $chk (i32.add (local.get $c) (i32.const 3)) (call $try (i32.const 3) (i32.const 1) (i32.const 1064) (i32.const 8) (i32.const 2) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 0))
    (call $chk (i32.add (local.get $c) (i32.const 4)) (call $try (i32.const 3) (i32.const 0) (i32.const 1080) (i32.const 8) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 32))
    (call $chk (i32.add (local.get $c) (i32.const 5)) (call $try (i32.const 3) (i32.const 1) (i32.const 1080) (i32.const 8) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 44))
    (call $chk (i32.add (local.get $c) (i32.const 6)) (call $try (i32.const 3) (i32.const 0) (i32.const 1080) (i32.const 8) (i32.const 2) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 54))
    (call $chk (i32.add (local.get $c) (i32.const 7)) (call $try (i32.const 3) (i32.const 0) (i32.const 1096) (i32.const 4) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 32))
    (call $chk (i32.add (local.get $c) (i32.const 8)) (call $try (i32.const 3) (i32.const 1) (i32.const 1096) (i32.const 4) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 32))
    (call $chk (i32.add (local.get $c) (i32.const 9)) (call $try (i32.const 3) (i32.const 1) (i32.const 1184) (i32.const 9) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.add (local.get $c) (i32.const 10)) (call $try (i32.const 3) (i32.const 1) (i32.const 1152) (i32.const 10) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.add (local.get $c) (i32.const 11)) (call $try (i32.const 3) (i32.const 1) (i32.const 1168) (i32.const 9) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.add (local.get $c) (i32.const 12)) (call $try (i32.const 3) (i32.const 1) (i32.const 1104) (i32.const 7) (i32.const 2) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.add (local.get $c) (i32.const 13)) (call $try (i32.const 3) (i32.const 0) (i32.const 1136) (i32.const 10) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 28))
    (call $chk (i32.add (local.get $c) (i32.const 14)) (call $try (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 0) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 44))
    (call $chk (i32.add (local.get $c) (i32.const 15)) (call $try (i32.const 3) (i32.const 0) (i32.const 1224) (i32.const 9) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 54))
    (call $chk (i32.add (local.get $c) (i32.const 16)) (call $try (i32.const 3) (i32.const 1) (i32.const 1352) (i32.const 7) (i32.const 0) (local.get $r) (i64.const 0) (i32.const 0)) (i32.const 76)))

  ;; Rights granted: only those that apply to what was opened; fd_seek and fd_tell need
  ;; FD_SEEK (FD_TELL suffices to ask where we are), and a directory never has them.
  (func $granted (local $fd i32)
    (call $chk (i32.const 80) (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 0))
    (local.set $fd (i32.load (i32.const 0)))
    (call $chk (i32.const 81) (i64.eqz (call $base_rights (local.get $fd))) (i32.const 1))
    (drop (call $fd_close (local.get $fd)))
    ;; dir asked for FD_SEEK | FD_TELL | FD_READDIR | PATH_OPEN keeps FD_READDIR | PATH_OPEN.
    (call $chk (i32.const 82) (call $open (i32.const 3) (i32.const 0) (i32.const 1040) (i32.const 3) (i32.const 2) (i64.const 24612) (i64.const 0) (i32.const 0)) (i32.const 0))
    (local.set $fd (i32.load (i32.const 0)))
    (call $chk (i32.const 83) (i64.eq (call $base_rights (local.get $fd)) (i64.const 24576)) (i32.const 1))
    (call $chk (i32.const 84) (call $seek (local.get $fd) (i64.const 0) (i32.const 1)) (i32.const 76))
    (call $chk (i32.const 85) (call $seek (local.get $fd) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.const 86) (call $seek (local.get $fd) (i64.const 0) (i32.const 2)) (i32.const 76))
    (call $chk (i32.const 87) (call $fd_tell (local.get $fd) (i32.const 160)) (i32.const 76))
    (i32.store (i32.const 200) (i32.const 216))
    (i32.store (i32.const 204) (i32.const 1))
    (call $chk (i32.const 88) (call $fd_read (local.get $fd) (i32.const 200) (i32.const 1) (i32.const 208)) (i32.const 8))
    (drop (call $fd_close (local.get $fd)))
    ;; A file with FD_READ only: no write (BADF, as POSIX), no seek or tell (NOTCAPABLE).
    (call $chk (i32.const 89) (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0)) (i32.const 0))
    (local.set $fd (i32.load (i32.const 0)))
    (call $chk (i32.const 90) (call $write_data (local.get $fd)) (i32.const 8))
    (call $chk (i32.const 91) (call $seek (local.get $fd) (i64.const 0) (i32.const 0)) (i32.const 76))
    (call $chk (i32.const 92) (call $fd_tell (local.get $fd) (i32.const 160)) (i32.const 76))
    (drop (call $fd_close (local.get $fd)))
    ;; FD_READ | FD_TELL: seek by 0 from CUR is a tell; anything else needs FD_SEEK.
    (call $chk (i32.const 93) (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 34) (i64.const 0) (i32.const 0)) (i32.const 0))
    (local.set $fd (i32.load (i32.const 0)))
    (call $chk (i32.const 94) (call $seek (local.get $fd) (i64.const 0) (i32.const 1)) (i32.const 0))
    (call $chk (i32.const 95) (call $seek (local.get $fd) (i64.const 1) (i32.const 1)) (i32.const 76))
    (call $chk (i32.const 96) (call $fd_tell (local.get $fd) (i32.const 160)) (i32.const 0))
    (drop (call $fd_close (local.get $fd)))
    ;; FD_READ | FD_SEEK: whence is decoded first; a negative result is INVAL; SEEK implies TELL.
    (call $chk (i32.const 97) (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 0) (i64.const 6) (i64.const 0) (i32.const 0)) (i32.const 0))
    (local.set $fd (i32.load (i32.const 0)))
    (call $chk (i32.const 98) (call $seek (local.get $fd) (i64.const -1) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 99) (call $seek (local.get $fd) (i64.const 0) (i32.const 3)) (i32.const 28))
    (call $chk (i32.const 100) (call $seek (local.get $fd) (i64.const 0) (i32.const 0x100)) (i32.const 28))
    (call $chk (i32.const 101) (call $fd_tell (local.get $fd) (i32.const 160)) (i32.const 0))
    (call $chk (i32.const 102) (call $seek (local.get $fd) (i64.const 0) (i32.const 2)) (i32.const 0))
    (call $chk (i32.const 103) (i32.wrap_i64 (i64.load (i32.const 160))) (i32.const 4))
    ;; fd_fdstat_set_rights only narrows: a right not held is NOTCAPABLE, a bit no right has INVAL.
    (call $chk (i32.const 104) (call $fd_fdstat_set_rights (local.get $fd) (i64.const 70) (i64.const 0)) (i32.const 76))
    (call $chk (i32.const 105) (call $fd_fdstat_set_rights (local.get $fd) (i64.const 0x8000000000000000) (i64.const 0)) (i32.const 28))
    (call $chk (i32.const 106) (call $fd_fdstat_set_rights (local.get $fd) (i64.const 2) (i64.const 0)) (i32.const 0))
    (call $chk (i32.const 107) (call $seek (local.get $fd) (i64.const 0) (i32.const 0)) (i32.const 76))
    (drop (call $fd_close (local.get $fd)))
    (call $chk (i32.const 108) (call $seek (i32.const -1) (i64.const 0) (i32.const 7)) (i32.const 28))
    (call $chk (i32.const 109) (call $seek (i32.const -1) (i64.const 0) (i32.const 0)) (i32.const 8)))

  ;; The other path_* calls: flags decoded first, then the fd, then the path, then the host.
  (func $path_calls
    (call $chk (i32.const 110) (call $path_filestat_get (i32.const 3) (i32.const 2) (i32.const 1024) (i32.const 8) (i32.const 64)) (i32.const 28))
    (call $chk (i32.const 111) (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 1048) (i32.const 9) (i32.const 64)) (i32.const 0))
    (call $chk (i32.const 112) (i32.load8_u (i32.const 80)) (i32.const 7))
    (call $chk (i32.const 113) (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 1048) (i32.const 9) (i32.const 64)) (i32.const 0))
    (call $chk (i32.const 114) (i32.load8_u (i32.const 80)) (i32.const 4))
    (call $chk (i32.const 115) (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 1080) (i32.const 8) (i32.const 64)) (i32.const 44))
    (call $chk (i32.const 116) (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 1184) (i32.const 9) (i32.const 64)) (i32.const 76))
    (call $chk (i32.const 117) (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 1136) (i32.const 10) (i32.const 64)) (i32.const 28))
    (call $chk (i32.const 118) (call $path_filestat_get (i32.const -1) (i32.const 0) (i32.const 1024) (i32.const 8) (i32.const 64)) (i32.const 8))
    (call $chk (i32.const 120) (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i64.const 0) (i64.const 0) (i32.const 12)) (i32.const 28))
    (call $chk (i32.const 121) (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 8) (i64.const 0) (i64.const 0) (i32.const 0x10)) (i32.const 28))
    (call $chk (i32.const 122) (call $path_filestat_set_times (i32.const -1) (i32.const 0) (i32.const 1024) (i32.const 8) (i64.const 0) (i64.const 0) (i32.const 3)) (i32.const 28))
    (call $chk (i32.const 123) (call $path_filestat_set_times (i32.const 3) (i32.const 2) (i32.const 1024) (i32.const 8) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 28))
    ;; readlink: a 0-byte buffer is 0 bytes placed (readlink(2) itself would refuse it).
    (i32.store (i32.const 168) (i32.const 99))
    (call $chk (i32.const 125) (call $path_readlink (i32.const 3) (i32.const 1048) (i32.const 9) (i32.const 216) (i32.const 0) (i32.const 168)) (i32.const 0))
    (call $chk (i32.const 126) (i32.load (i32.const 168)) (i32.const 0))
    (call $chk (i32.const 127) (call $path_readlink (i32.const 3) (i32.const 1024) (i32.const 8) (i32.const 216) (i32.const 0) (i32.const 168)) (i32.const 28))
    (call $chk (i32.const 128) (call $path_readlink (i32.const 3) (i32.const 1048) (i32.const 9) (i32.const 300) (i32.const 4) (i32.const 168)) (i32.const 0))
    (call $chk (i32.const 129) (i32.load (i32.const 168)) (i32.const 4))
    (call $chk (i32.const 130) (call $path_readlink (i32.const 3) (i32.const 1112) (i32.const 7) (i32.const 216) (i32.const 1) (i32.const 168)) (i32.const 44))
    (call $chk (i32.const 131) (call $path_link (i32.const 3) (i32.const 2) (i32.const 1024) (i32.const 8) (i32.const 3) (i32.const 1216) (i32.const 3)) (i32.const 28))
    (call $chk (i32.const 132) (call $path_link (i32.const 3) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const -1) (i32.const 1216) (i32.const 3)) (i32.const 8))
    (call $chk (i32.const 133) (call $path_link (i32.const 3) (i32.const 0) (i32.const 1112) (i32.const 7) (i32.const 3) (i32.const 1184) (i32.const 9)) (i32.const 76))
    (call $chk (i32.const 134) (call $path_rename (i32.const 3) (i32.const 1112) (i32.const 7) (i32.const -1) (i32.const 1216) (i32.const 3)) (i32.const 8))
    (call $chk (i32.const 135) (call $path_rename (i32.const 3) (i32.const 1112) (i32.const 7) (i32.const 3) (i32.const 1216) (i32.const 3)) (i32.const 44))
    (call $chk (i32.const 136) (call $path_rename (i32.const 3) (i32.const 1024) (i32.const 8) (i32.const 3) (i32.const 1184) (i32.const 9)) (i32.const 76))
    (call $chk (i32.const 137) (call $path_rename (i32.const 3) (i32.const 1040) (i32.const 3) (i32.const 3) (i32.const 1024) (i32.const 8)) (i32.const 54))
    (call $chk (i32.const 138) (call $path_rename (i32.const 3) (i32.const 1024) (i32.const 8) (i32.const 3) (i32.const 1040) (i32.const 3)) (i32.const 31))
    (call $chk (i32.const 139) (call $path_symlink (i32.const 1136) (i32.const 10) (i32.const 3) (i32.const 1216) (i32.const 3)) (i32.const 28))
    (call $chk (i32.const 140) (call $path_symlink (i32.const 1216) (i32.const 3) (i32.const 3) (i32.const 1024) (i32.const 8)) (i32.const 20))
    (call $chk (i32.const 141) (call $path_symlink (i32.const 1024) (i32.const 8) (i32.const 3) (i32.const 1272) (i32.const 4)) (i32.const 44))
    (call $chk (i32.const 142) (call $path_unlink_file (i32.const 3) (i32.const 1040) (i32.const 3)) (i32.const 31))
    (call $chk (i32.const 143) (call $path_unlink_file (i32.const 3) (i32.const 1224) (i32.const 9)) (i32.const 54))
    (call $chk (i32.const 144) (call $path_unlink_file (i32.const 3) (i32.const 1184) (i32.const 9)) (i32.const 76))
    (call $chk (i32.const 145) (call $path_unlink_file (i32.const 3) (i32.const 1152) (i32.const 10)) (i32.const 76))
    (call $chk (i32.const 146) (call $path_unlink_file (i32.const -1) (i32.const 1024) (i32.const 8)) (i32.const 8))
    (call $chk (i32.const 147) (call $path_remove_directory (i32.const 3) (i32.const 1024) (i32.const 8)) (i32.const 54))
    (call $chk (i32.const 148) (call $path_remove_directory (i32.const 3) (i32.const 1248) (i32.const 6)) (i32.const 32))
    (call $chk (i32.const 149) (call $path_remove_directory (i32.const 3) (i32.const 1112) (i32.const 7)) (i32.const 44))
    (call $chk (i32.const 150) (call $path_create_directory (i32.const 3) (i32.const 1040) (i32.const 3)) (i32.const 20))
    (call $chk (i32.const 151) (call $path_create_directory (i32.const 3) (i32.const 1256) (i32.const 10)) (i32.const 44))
    (call $chk (i32.const 152) (call $fd_prestat_dir_name (i32.const 3) (i32.const 300) (i32.const 0)) (i32.const 37)))

  ;; An fd outlives its file's name: it still reads and stats (nlink 0); the name is gone and
  ;; can be created again, beside it.
  (func $deleted (local $fd i32)
    ;; FD_READ | FD_SEEK | FD_WRITE | FD_FILESTAT_GET
    (call $chk (i32.const 160) (call $open (i32.const 3) (i32.const 0) (i32.const 1280) (i32.const 6) (i32.const 1) (i64.const 2097222) (i64.const 0) (i32.const 0)) (i32.const 0))
    (local.set $fd (i32.load (i32.const 0)))
    (call $chk (i32.const 161) (call $write_data (local.get $fd)) (i32.const 0))
    (call $chk (i32.const 162) (call $path_unlink_file (i32.const 3) (i32.const 1280) (i32.const 6)) (i32.const 0))
    (call $chk (i32.const 163) (call $fd_filestat_get (local.get $fd) (i32.const 64)) (i32.const 0))
    (call $chk (i32.const 164) (i32.and (i64.eqz (i64.load (i32.const 88))) (i64.eq (i64.load (i32.const 96)) (i64.const 4))) (i32.const 1))
    (i32.store (i32.const 200) (i32.const 216))
    (i32.store (i32.const 204) (i32.const 1))
    (call $chk (i32.const 165) (call $fd_pread (local.get $fd) (i32.const 200) (i32.const 1) (i64.const 1) (i32.const 208)) (i32.const 0))
    (call $chk (i32.const 166) (i32.load8_u (i32.const 216)) (i32.const 97))  ;; 'a' of "data"
    (call $chk (i32.const 167) (call $try (i32.const 3) (i32.const 0) (i32.const 1280) (i32.const 6) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 44))
    (call $chk (i32.const 168) (call $try (i32.const 3) (i32.const 0) (i32.const 1280) (i32.const 6) (i32.const 5) (i64.const 0) (i64.const 0) (i32.const 0)) (i32.const 0))
    (call $chk (i32.const 169) (call $fd_filestat_get (local.get $fd) (i32.const 64)) (i32.const 0))
    (call $chk (i32.const 170) (i32.wrap_i64 (i64.load (i32.const 96))) (i32.const 4))
    (call $chk (i32.const 171) (call $fd_close (local.get $fd)) (i32.const 0))
    (call $chk (i32.const 172) (call $path_unlink_file (i32.const 3) (i32.const 1280) (i32.const 6)) (i32.const 0)))

;; The socket calls decode their flags (fdflags, riflags, siflags, sdflags) before the fd; an
  ;; fd that is open but not a socket is NOTSOCK (57).
  (func $sockets
    (i32.store (i32.const 200) (i32.const 216))
    (i32.store (i32.const 204) (i32.const 1))
    (call $chk (i32.const 200) (call $sock_accept (i32.const -1) (i32.const 1) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 201) (call $sock_accept (i32.const -1) (i32.const 4) (i32.const 0)) (i32.const 8))
    (call $chk (i32.const 202) (call $sock_recv (i32.const -1) (i32.const 200) (i32.const 1) (i32.const 4) (i32.const 208) (i32.const 212)) (i32.const 28))
    (call $chk (i32.const 203) (call $sock_recv (i32.const -1) (i32.const 200) (i32.const 1) (i32.const 1) (i32.const 208) (i32.const 212)) (i32.const 8))
    (call $chk (i32.const 204) (call $sock_send (i32.const -1) (i32.const 200) (i32.const 1) (i32.const 1) (i32.const 208)) (i32.const 28))
    (call $chk (i32.const 205) (call $sock_send (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 0) (i32.const 208)) (i32.const 57))
    (call $chk (i32.const 206) (call $sock_shutdown (i32.const -1) (i32.const 4)) (i32.const 28))
    (call $chk (i32.const 207) (call $sock_shutdown (i32.const -1) (i32.const 0)) (i32.const 28))
    (call $chk (i32.const 208) (call $sock_shutdown (i32.const -1) (i32.const 1)) (i32.const 8))
    (call $chk (i32.const 209) (call $sock_shutdown (i32.const 1) (i32.const 3)) (i32.const 57)))

  (func (export "_start")
    (call $setup)
    (call $flag_bits)
    (call $dir_fds)
    (call $dir_rights)
    (call $oflags)
    (call $symlinks (i64.const 0) (i32.const 60))
    (call $symlinks (i64.const 2) (i32.const 180))
    (call $granted)
    (call $path_calls)
    (call $deleted)
    (call $sockets)
    (if (global.get $failures) (then (call $proc_exit (i32.const 1))))
    (call $emit (i32.const 1336) (i32.const 3))
    (call $emit_num (global.get $checks))
    (call $emit (i32.const 1340) (i32.const 8))
    (call $flush)))
